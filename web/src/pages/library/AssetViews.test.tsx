import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Asset } from "../../components/library/assetsApi";
import { AssetGrid, AssetTable } from "./AssetViews";
import { SelectionBar } from "./SelectionBar";
import { allSelected, noSelection, selectAll, selectRange, toggle, type Selection } from "./selection";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";

const asset = (id: string, favourite = false): Asset => ({
  id, operation_id: "op", type: "image", module: "create", operation: "create", provider: "local", model: "m",
  prompt: "", title: `Picture ${id}`, cost_credits: 1, width: 64, height: 48, bytes: 2048, content_type: "image/png",
  favourite, source_asset_id: null, version: 1, download_count: 0, share_count: 0, created_at: "2026-01-01T00:00:00Z",
  deleted_at: null, tags: [], url: "http://x/api/files/a.png",
});

function Harness({ list = false, onFavourite = vi.fn() }: { list?: boolean; onFavourite?: (a: Asset) => void }) {
  const assets = ["a", "b", "c", "d"].map((id) => asset(id, id === "b"));
  const visible = assets.map((a) => a.id);
  const [selection, setSelection] = useState<Selection>(noSelection);
  const props = { assets, selection, onOpen: vi.fn(), onFavourite,
    onSelect: (id: string, range: boolean) => setSelection((s) => (range ? selectRange(s, visible, id) : toggle(s, id))) };
  const [client] = useState(() => new QueryClient());
  return (
    <QueryClientProvider client={client}>
      <SelectionBar selection={selection} trashed={false} onClear={() => setSelection(noSelection)} onDone={vi.fn()}
        allOnPage={allSelected(selection, visible)} onSelectPage={() => setSelection((s) => selectAll(s, visible))} />
      {list ? <AssetTable {...props} /> : <AssetGrid {...props} />}
    </QueryClientProvider>
  );
}

beforeEach(() => {
  vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ items: [], total: 0 }))));
});
afterEach(() => vi.unstubAllGlobals());

// Generous timeout: role queries over a rendered grid are slow on a busy machine.
describe("library selection", { timeout: 30_000 }, () => {
  it("selects by click and shift-click, counts, selects the page and clears", () => {
    render(<Harness />);
    fireEvent.click(screen.getByRole("checkbox", { name: "Select Picture a, 64×48" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Select Picture c, 64×48" }), { shiftKey: true });
    expect(screen.getByText("3 selected")).toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Select Picture d, 64×48" })).not.toBeChecked();
    expect(screen.getByRole("button", { name: "Download ZIP" })).toBeEnabled();
    fireEvent.click(screen.getByRole("checkbox", { name: "Select page" }));
    expect(screen.getByText("4 selected")).toBeInTheDocument();
    fireEvent.click(screen.getByRole("button", { name: "Clear selection" }));
    expect(screen.getByText("0 selected")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Download ZIP" })).not.toBeInTheDocument();
  });

  it("shows favourites as pressed toggles in the list view too", () => {
    const onFavourite = vi.fn();
    render(<Harness list onFavourite={onFavourite} />);
    expect(screen.getByRole("button", { name: "Favourite Picture b, 64×48" })).toHaveAttribute("aria-pressed", "true");
    fireEvent.click(screen.getByRole("button", { name: "Favourite Picture a, 64×48" }));
    expect(onFavourite).toHaveBeenCalledWith(expect.objectContaining({ id: "a" }));
    fireEvent.click(screen.getByRole("checkbox", { name: "Select Picture d, 64×48" }));
    expect(screen.getByText("1 selected")).toBeInTheDocument();
  });
});
