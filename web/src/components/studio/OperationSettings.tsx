// One operation's settings: its title, its main fields, and under "Advanced" the provider and the rest.
// Edit, Control and Transform show every operation this way.
import type { ApiError } from "../../api/errors";
import type { FieldValues } from "./fieldSchema";
import { ProviderSelect } from "./ProviderSelect";
import { SchemaFields } from "./SchemaFields";
import type { OperationInfo } from "./studioApi";

type Props = {
  operation: OperationInfo;
  values: FieldValues;
  onChange: (name: string, value: string | boolean) => void;
  choice: string;
  onChoose: (choice: string) => void;
  error?: ApiError;
  hidden?: readonly string[];
};

export function OperationSettings({ operation, values, onChange, choice, onChoose, error, hidden }: Props) {
  return (
    <>
      <h2>{operation.title}</h2>
      <SchemaFields fields={operation.fields} required={operation.required} values={values} error={error}
        hidden={hidden} onChange={onChange} />
      <details>
        <summary>Advanced</summary>
        <div className="stack">
          <ProviderSelect offers={operation.prices} value={choice} onChange={(p, m) => onChoose(`${p}|${m}`)}
            error={error?.fieldMessage("provider")} />
          <SchemaFields fields={operation.fields} required={operation.required} values={values} only="advanced"
            hidden={["provider", "model"]} error={error} onChange={onChange} />
        </div>
      </details>
    </>
  );
}
