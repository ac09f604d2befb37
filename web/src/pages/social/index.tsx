// Placeholder until the Social page lands.
import { PageHeader } from "../../components/PageHeader";

export default function SocialPage() {
  return (
    <section>
      <PageHeader title="Social" />
      <p className="muted">This page is being built.</p>
    </section>
  );
}
