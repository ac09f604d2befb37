// Provider and model, with each model's price per output from billing's price table.
import { useProviders } from "../../api/queries";
import type { ApiError } from "../../api/errors";
import { Field } from "../../components/form/Field";

interface Props {
  provider: string;
  model: string;
  onChange: (provider: string, model: string) => void;
  error: ApiError | string | undefined;
  modelError: ApiError | string | undefined;
}

export function ProviderModel({ provider, model, onChange, error, modelError }: Props) {
  const providers = useProviders();
  const creators = (providers.data ?? []).filter((p) => p.capabilities.includes("create"));
  const chosen = creators.find((p) => p.name === provider);
  const models = chosen?.models.filter((m) => m.kinds.includes("create")) ?? [];
  return (
    <div className="row cr-provider">
      <Field id="create-provider" label="Provider" name="provider" error={error}>
        <select value={provider} onChange={(e) => onChange(e.target.value, "")}>
          <option value="auto">Automatic (best enabled for the quality)</option>
          {creators.map((p) => (
            <option key={p.name} value={p.name} disabled={!p.enabled}>
              {p.title}{p.enabled ? "" : " (not enabled here)"}
            </option>
          ))}
        </select>
      </Field>
      <Field id="create-model" label="Model" name="model" error={modelError}>
        <select value={model} onChange={(e) => onChange(provider, e.target.value)} disabled={provider === "auto"}>
          <option value="">{provider === "auto" ? "chosen automatically" : "provider's default"}</option>
          {models.map((m) => (
            <option key={m.model} value={m.model}>
              {m.model} · {m.credits_per_unit} credit{m.credits_per_unit === 1 ? "" : "s"}/{m.unit} · {m.quality}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}
