import { useEffect, useState, type ReactNode } from 'react';
import type { Api } from './api';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="loading">
      Loading {what}…
    </p>
  );
}

export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="error">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

/** A table named by its caption (its accessible name), with a header row and one row per item. */
export function DataTable<T>({ name, rows, columns, rowKey, empty }: { name: string; rows: T[]; columns: Column<T>[]; rowKey: (row: T) => string; empty: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{name}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col">
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((column) => (
                  <td key={column.header}>{column.cell(row)}</td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

export type Loaded<T> = { state: 'loading'; partial?: T } | { state: 'loaded'; data: T } | { state: 'failed'; error: unknown };

/** Loads once per dependency change; `partial` lets a list render its first pages while the rest loads. */
export function useLoad<T>(load: (api: Api, partial: (value: T) => void) => Promise<T>, api: Api, deps: unknown[]): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLoaded({ state: 'loading' });
    load(api, (value) => current && setLoaded({ state: 'loading', partial: value })).then(
      (data) => current && setLoaded({ state: 'loaded', data }),
      (error: unknown) => current && setLoaded({ state: 'failed', error }),
    );
    return () => {
      current = false;
    };
  }, deps);
  return loaded;
}

export const formatTime = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : '—');
