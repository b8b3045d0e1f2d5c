import type { ReactNode } from 'react';
import { nextSort } from '../lib/queue';

/** A column header that sorts by `sortKey` when clicked (descending first unless `ascFirst`). */
export function SortHeader({ label, sortKey, sort, onSort, ascFirst = false, className = '' }: {
  label: ReactNode; sortKey: string; sort: string; onSort: (s: string) => void; ascFirst?: boolean; className?: string;
}) {
  const dir = sort === sortKey ? 'ascending' : sort === `-${sortKey}` ? 'descending' : 'none';
  return (
    <th className={`th ${className}`} aria-sort={dir}>
      <button type="button" className="inline-flex items-center gap-1 uppercase hover:text-slate-900" data-sort={sortKey}
        onClick={() => onSort(nextSort(sort, sortKey, !ascFirst))}>
        {label}<span aria-hidden="true">{dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : '↕'}</span>
      </button>
    </th>
  );
}
