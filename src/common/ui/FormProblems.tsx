import type { FieldError } from '../../core/commands';

/** What to fix before a form can be sent, and why a send failed: shown the same way by every form. */
export function FormProblems({ errors, failure }: { errors: readonly FieldError[]; failure: Error | null }) {
  return (
    <>
      {errors.length > 0 && (
        <ul className="form-errors" role="alert" aria-label="What to fix">
          {errors.map((e) => (
            <li key={`${e.field}:${e.message}`}>{e.message}</li>
          ))}
        </ul>
      )}
      {failure && (
        <div className="form-result error" role="alert">
          {failure.message}
        </div>
      )}
    </>
  );
}
