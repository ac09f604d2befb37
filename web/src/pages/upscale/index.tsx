// Placeholder until the Upscale page lands.
import { PageHeader } from "../../components/PageHeader";

export default function UpscalePage() {
  return (
    <section>
      <PageHeader title="Upscale" />
      <p className="muted">This page is being built.</p>
    </section>
  );
}
