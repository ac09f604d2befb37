// Placeholder until the Edit page lands.
import { PageHeader } from "../../components/PageHeader";

export default function EditPage() {
  return (
    <section>
      <PageHeader title="Edit" />
      <p className="muted">This page is being built.</p>
    </section>
  );
}
