// Shows what an API error says that no field on the page carries (fields show their own message).
import { asApiError, errorText } from "../../api/errors";

interface ErrorBannerProps {
  error: unknown;
  /** The API field names the page shows next to their controls. */
  fields?: readonly string[];
  title?: string;
}

export function bannerMessage(error: unknown, fields: readonly string[] = []): string | undefined {
  if (!error) return undefined;
  const apiError = asApiError(error);
  return apiError ? apiError.formMessage(fields) : errorText(error);
}

export function ErrorBanner({ error, fields = [], title }: ErrorBannerProps) {
  const message = bannerMessage(error, fields);
  if (!message) return null;
  return (
    <div className="error-banner" role="alert">
      {title ? <strong>{title} </strong> : null}
      {message}
    </div>
  );
}
