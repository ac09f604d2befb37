// Batches need the batch service, which the gateway does not offer yet; this page says so rather than
// showing anything that is not real.
import { Link } from "react-router";
import { PageHeader } from "../../components/PageHeader";

export default function BatchPage() {
  return (
    <section>
      <PageHeader title="Batch" />
      <div className="card">
        <h2>Batches are not available yet</h2>
        <p>
          Running many prompts from a CSV, JSON or ZIP file, on a schedule, needs the batch service, which this
          installation does not offer yet. Until then, create images one request at a time from the{" "}
          <Link to="/create">Create</Link> page.
        </p>
      </div>
    </section>
  );
}
