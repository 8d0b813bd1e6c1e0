import { useId } from 'react';

/** A labelled <select>; `any` adds a first, empty choice (filters). */
export function Select(props: { label: string; value: string; onChange: (value: string) => void; options: { value: string; label: string }[]; any?: string; ltr?: boolean }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} dir={props.ltr ? 'ltr' : undefined} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.any !== undefined && <option value="">{props.any}</option>}
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
