// Create: prompt, template, style, provider and the rest; the price (and whether the balance covers it)
// follows every change; Generate follows the operation live and shows the results.
import { useMemo, useState, type FormEvent } from "react";
import { asApiError } from "../../api/errors";
import { useBalance, useCancelOperation, useCreate, useEstimate, usePersonas } from "../../api/queries";
import { FINAL_STATUSES, type Template } from "../../api/types";
import { useOperationEvents } from "../../api/useOperationEvents";
import { CostDisplay } from "../../components/feedback/CostDisplay";
import { ErrorBanner } from "../../components/feedback/ErrorBanner";
import { OperationProgress } from "../../components/feedback/Progress";
import { Field } from "../../components/form/Field";
import { PageHeader } from "../../components/PageHeader";
import { useDebounced } from "../../hooks/useDebounced";
import { AdvancedFields } from "./AdvancedFields";
import "./create.css";
import { createBody, EMPTY_FORM, FORM_FIELDS, validateCreate, type CreateForm } from "./form";
import { ProviderModel } from "./ProviderModel";
import { Results } from "./Results";
import { StylePresetPicker } from "./StylePresetPicker";
import { TemplatePicker } from "./TemplatePicker";

const PRICE_PROMPT = "price preview";

export default function CreatePage() {
  const [form, setForm] = useState<CreateForm>(EMPTY_FORM);
  const [template, setTemplate] = useState<Template | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [operationId, setOperationId] = useState<string>();
  const set = (changes: Partial<CreateForm>) => setForm((f) => ({ ...f, ...changes }));

  const priceProblems = validateCreate(form, true);
  const priceBody = useMemo(() => (Object.keys(priceProblems).length ? null : createBody(form, PRICE_PROMPT)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [JSON.stringify(form)]);
  const estimate = useEstimate(useDebounced(priceBody, 300));
  const balance = useBalance();
  const personas = usePersonas();
  const create = useCreate();
  const cancel = useCancelOperation();
  const live = useOperationEvents(operationId);

  const problems = submitted ? validateCreate(form) : priceProblems;
  const apiError = asApiError(create.error) ?? asApiError(estimate.error);
  const errorFor = (field: string) => problems[field] ?? apiError?.fieldMessage(field);
  const running = Boolean(operationId) && !(live.operation && FINAL_STATUSES.includes(live.operation.status))
    && live.state !== "error";
  const covered = estimate.data?.covered ?? false;

  function generate(event: FormEvent) {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(validateCreate(form)).length) return;
    cancel.reset();
    create.mutate({ body: createBody(form), idempotencyKey: crypto.randomUUID() }, {
      onSuccess: (accepted) => setOperationId(accepted.operation_id),
    });
  }

  function chooseTemplate(next: Template | null) {
    setTemplate(next);
    set({ templateId: next?.id ?? null });
  }

  return (
    <section>
      <PageHeader title="Create">
        {balance.data ? <span className="muted">{balance.data.available_credits} credits available</span> : null}
      </PageHeader>
      <form className="grid-2" onSubmit={generate} noValidate aria-label="Create images">
        <div className="stack">
          <div className="card stack">
            <Field id="create-prompt" label="Prompt" name="prompt" error={errorFor("prompt")}>
              <textarea value={form.prompt} onChange={(e) => set({ prompt: e.target.value })} maxLength={10_000}
                placeholder="What should the image show? e.g. a lighthouse at dawn, warm light, calm sea" />
            </Field>
            <TemplatePicker selected={form.templateId} onSelect={chooseTemplate} />
            {errorFor("template_id") ? <p className="field-error" role="alert">{errorFor("template_id")}</p> : null}
            <StylePresetPicker selected={form.stylePreset} templateDefault={template?.style_preset ?? null}
              onSelect={(stylePreset) => set({ stylePreset })} />
            {errorFor("style_preset") ? <p className="field-error" role="alert">{errorFor("style_preset")}</p> : null}
          </div>
          <div className="card stack">
            <ProviderModel provider={form.provider} model={form.model} error={errorFor("provider")}
              modelError={errorFor("model")} onChange={(provider, model) => set({ provider, model })} />
            <div className="row">
              <Field id="create-variations" label="Variations" name="num_variations" error={errorFor("num_variations")}>
                <input type="number" min={1} max={10} value={form.numVariations}
                  onChange={(e) => set({ numVariations: e.target.value })} />
              </Field>
              <Field id="create-seed" label="Seed" name="seed" error={errorFor("seed")} hint="empty: a new one each time">
                <input type="number" min={0} value={form.seed} onChange={(e) => set({ seed: e.target.value })} />
              </Field>
              <Field id="create-persona" label="Persona" name="persona_id" error={errorFor("persona_id")}>
                <select value={form.personaId} onChange={(e) => set({ personaId: e.target.value })}>
                  <option value="">No persona</option>
                  {(personas.data ?? []).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
                </select>
              </Field>
            </div>
            <AdvancedFields form={form} set={set} errorFor={errorFor} template={template} />
          </div>
        </div>
        <aside className="stack cr-side" aria-label="Price and results">
          <div className="card stack">
            <h2>Price</h2>
            <CostDisplay estimate={estimate.data} pending={estimate.isFetching} error={estimate.error} />
            {estimate.data?.width ? (
              <p className="muted" data-testid="output-size">
                Output: {estimate.data.width}×{estimate.data.height}
              </p>
            ) : null}
            <ErrorBanner error={create.error} fields={FORM_FIELDS} />
            <div className="row">
              <button type="submit" disabled={create.isPending || running || (Boolean(estimate.data) && !covered)}>
                {create.isPending ? "Submitting…" : "Generate"}
              </button>
              {running && operationId ? (
                <button type="button" className="danger" disabled={cancel.isPending || cancel.isSuccess}
                  onClick={() => cancel.mutate(operationId)}>
                  {cancel.isSuccess ? "Canceling…" : "Cancel"}
                </button>
              ) : null}
            </div>
            <ErrorBanner error={cancel.error} />
          </div>
          {operationId ? (
            <div className="card stack" data-testid="operation">
              <OperationProgress operation={live.operation} label="Generating" />
              <ErrorBanner error={live.error} />
              {live.operation?.error ? <p className="muted">{live.operation.error.message}</p> : null}
              {live.operation && live.operation.cost.charged_credits !== null ? (
                <p data-testid="charged">
                  Charged {live.operation.cost.charged_credits} credit{live.operation.cost.charged_credits === 1 ? "" : "s"}.
                </p>
              ) : null}
            </div>
          ) : null}
          {live.operation ? <Results operation={live.operation} /> : null}
        </aside>
      </form>
    </section>
  );
}
