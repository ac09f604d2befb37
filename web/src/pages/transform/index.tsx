// Placeholder until the Transform page lands.
import { PageHeader } from "../../components/PageHeader";

export default function TransformPage() {
  return (
    <section>
      <PageHeader title="Transform" />
      <p className="muted">This page is being built.</p>
    </section>
  );
}
