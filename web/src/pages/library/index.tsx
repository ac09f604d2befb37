// Placeholder until the Library page lands.
import { PageHeader } from "../../components/PageHeader";

export default function LibraryPage() {
  return (
    <section>
      <PageHeader title="Library" />
      <p className="muted">This page is being built.</p>
    </section>
  );
}
