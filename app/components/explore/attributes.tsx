import { Link } from '@remix-run/react';
import { FilterIcon } from './icons';
import { attributeText } from './format';

/**
 * Key/value pairs of a span, log record or resource, sorted by key. With `filterHref`,
 * each row offers a link that searches for other items with the same value.
 */
export function AttributeTable({
  attributes,
  filterHref,
  empty = 'None',
  label,
}: {
  attributes: Record<string, unknown>;
  filterHref?: (key: string, value: string) => string;
  empty?: string;
  label: string;
}) {
  const entries = Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p className="text-xs text-slate-500 dark:text-slate-400">{empty}</p>;
  return (
    <table className="w-full table-fixed text-xs" aria-label={label}>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {entries.map(([k, v]) => {
          const text = attributeText(v);
          const scalar = typeof v !== 'object' || v === null;
          return (
            <tr key={k} className="group align-top">
              <th scope="row" className="w-2/5 py-1 pr-3 text-left font-mono font-normal text-slate-500 dark:text-slate-400">
                <span className="[overflow-wrap:anywhere]">{k}</span>
              </th>
              <td className="py-1 font-mono text-slate-900 dark:text-slate-100">
                <span className="flex items-start justify-between gap-2">
                  <span className="min-w-0 whitespace-pre-wrap [overflow-wrap:anywhere]">{text}</span>
                  {filterHref && scalar && text.length < 200 ? (
                    <Link
                      to={filterHref(k, text)}
                      title={`Filter by ${k}=${text}`}
                      aria-label={`Filter by ${k}=${text}`}
                      className="shrink-0 rounded p-0.5 text-slate-400 opacity-0 hover:bg-slate-100 hover:text-brand-600 focus:opacity-100 group-hover:opacity-100 dark:hover:bg-slate-800"
                    >
                      <FilterIcon width={13} height={13} />
                    </Link>
                  ) : null}
                </span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
