// The operation's outputs as they arrive, each with its real size and what to do next.
import type { Operation } from "../../api/types";
import { localPath } from "../../components/library/assetsApi";
import { ResultActions } from "../../components/studio/ResultActions";

export function Results({ operation }: { operation: Operation }) {
  if (!operation.outputs.length) return null;
  return (
    <section aria-labelledby="create-results" className="stack">
      <h2 id="create-results">Results</h2>
      <div className="gallery cr-gallery" data-testid="results">
        {operation.outputs.map((output, index) => (
          <figure key={output.asset_id || index} data-testid="result">
            <img src={localPath(output.url)} alt={`Variation ${index + 1} of “${String(operation.request.prompt ?? "")}”`}
              loading="lazy" />
            <figcaption>
              <span data-testid="result-size">{output.width}×{output.height}</span>
              <ResultActions operation={operation} output={output} index={index} />
            </figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}
