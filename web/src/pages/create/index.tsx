import { PageHeader } from "../../components/PageHeader";

export default function CreatePage() {
  return (
    <section>
      <PageHeader title="Create" />
    </section>
  );
}
