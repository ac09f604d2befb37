// Placeholder until the public share-board page lands.
import { useParams } from "react-router";

export default function SharedBoardPage() {
  const { token } = useParams();
  return (
    <section>
      <h1>Shared board</h1>
      <p className="muted">Board {token} will show here.</p>
    </section>
  );
}
