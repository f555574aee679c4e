import { useEffect, useState, type FormEvent } from 'react';
import type { Api } from '../api';
import { ErrorAlert } from '../components';

interface LicenseFile {
  installationId: string;
  activation: { status: string; devices: unknown[] };
}

/** §10: upload an activation request file, download the license file to carry back. */
export function OfflineActivation({ api }: { api: Api }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<{ url: string; file: LicenseFile } | null>(null);

  useEffect(() => () => (result ? URL.revokeObjectURL(result.url) : undefined), [result]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setResult(null);
    if (!file) {
      setError('Choose the activation request file first.');
      return;
    }
    setBusy(true);
    try {
      let request: unknown;
      try {
        request = JSON.parse(await file.text());
      } catch {
        throw new Error('The file is not an activation request file (it is not JSON).');
      }
      const licenseFile = await api<LicenseFile>('POST', '/v1/offline-activations', request);
      const url = URL.createObjectURL(new Blob([JSON.stringify(licenseFile, null, 2)], { type: 'application/json' }));
      setResult({ url, file: licenseFile });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="offline-heading">
      <h1 id="offline-heading">Offline activation</h1>
      <p>Upload the activation request file that the XProtect management server wrote, then carry the license file back to it.</p>
      <form className="card" onSubmit={submit}>
        <label htmlFor="request-file">Activation request file</label>
        <input id="request-file" type="file" accept="application/json,.json" onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
        <button type="submit" disabled={busy}>
          Activate
        </button>
      </form>
      {busy && <p role="status">Activating…</p>}
      <ErrorAlert error={error} />
      {result && (
        <div className="card" role="status">
          <p>
            Installation <code>{result.file.installationId}</code>: {result.file.activation.status.replace('_', ' ')}, {result.file.activation.devices.length} devices in the request.
          </p>
          <a href={result.url} download={`license-${result.file.installationId}.json`}>
            Download license file
          </a>
        </div>
      )}
    </section>
  );
}
