// The provider (and so the price) for an operation: "auto" or one whose price the API lists.
import { useId } from "react";
import type { PriceOffer } from "./studioApi";

type Props = { offers: PriceOffer[]; value: string; onChange: (provider: string, model: string) => void;
  error?: string };

export function ProviderSelect({ offers, value, onChange, error }: Props) {
  const id = useId();
  const enabled = offers.filter((o) => o.enabled);
  return (
    <div className="field">
      <label htmlFor={id}>Provider</label>
      <select id={id} value={value} aria-invalid={error ? true : undefined}
        onChange={(e) => {
          const [provider, model] = e.target.value.split("|");
          onChange(provider, model ?? "");
        }}>
        <option value="auto">Automatic (best available)</option>
        {enabled.map((o) => (
          <option key={`${o.provider}|${o.model}|${o.kind}`} value={`${o.provider}|${o.model}`}>
            {o.provider} / {o.model} — {o.credits_per_unit} credits per {o.unit}
          </option>
        ))}
      </select>
      {error && <p className="field-error" role="alert">{error}</p>}
    </div>
  );
}
