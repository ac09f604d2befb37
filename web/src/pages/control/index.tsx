// Placeholder until the Control page lands.
import { PageHeader } from "../../components/PageHeader";

export default function ControlPage() {
  return (
    <section>
      <PageHeader title="Control" />
      <p className="muted">This page is being built.</p>
    </section>
  );
}
