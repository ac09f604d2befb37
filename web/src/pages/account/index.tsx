import { PageHeader } from "../../components/PageHeader";

export default function AccountPage() {
  return (
    <section>
      <PageHeader title="Account" />
    </section>
  );
}
