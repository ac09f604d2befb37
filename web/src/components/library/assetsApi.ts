// Server state for the library: assets, collections and share boards, and the public board for visitors.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, authFetch, unwrap } from "../../api/client";
import { errorFromResponse } from "../../api/errors";
import { queryKeys } from "../../api/keys";
import type { Page } from "../../api/types";

export interface Asset {
  id: string;
  operation_id: string;
  type: "image" | "video" | "model3d" | "audio";
  module: string;
  operation: string;
  provider: string;
  model: string;
  prompt: string;
  title: string;
  cost_credits: number;
  width: number | null;
  height: number | null;
  bytes: number;
  content_type: string;
  favourite: boolean;
  source_asset_id: string | null;
  version: number;
  download_count: number;
  share_count: number;
  created_at: string;
  deleted_at: string | null;
  tags: string[];
  url: string;
}

export interface Collection { id: string; name: string; description: string; asset_count: number;
  updated_at: string }
export interface Board { id: string; token: string; title: string; collection_id: string; url: string;
  expires_at: string | null; revoked_at: string | null; has_password?: boolean; created_at: string }
export interface SharedBoard { title: string; expires_at: string | null; total: number;
  items: { id: string; title: string; type: string; content_type: string; width: number | null;
    height: number | null; bytes: number; url: string }[] }

export type AssetQuery = Record<string, string | number | boolean | undefined>;

const keys = {
  list: (query: AssetQuery) => [...queryKeys.assets, "list", query] as const,
  one: (id: string) => [...queryKeys.assets, "one", id] as const,
  versions: (id: string) => [...queryKeys.assets, "versions", id] as const,
  collections: [...queryKeys.assets, "collections"] as const,
  boards: [...queryKeys.assets, "boards"] as const,
};

export function useAssets(query: AssetQuery, enabled = true) {
  return useQuery({
    queryKey: keys.list(query),
    queryFn: async () => (await unwrap(api.GET("/api/content-assets", {
      params: { query: query as never },
    }))) as unknown as Page<Asset>,
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useAsset(id: string | undefined) {
  return useQuery({
    queryKey: keys.one(id ?? ""),
    queryFn: async () => (await unwrap(api.GET("/api/content-assets/{asset_id}", {
      params: { path: { asset_id: id! } },
    }))) as unknown as Asset,
    enabled: Boolean(id),
  });
}

export function useVersions(id: string | undefined) {
  return useQuery({
    queryKey: keys.versions(id ?? ""),
    queryFn: async () => (await unwrap(api.GET("/api/content-assets/{asset_id}/versions", {
      params: { path: { asset_id: id! } },
    }))) as unknown as Page<Asset>,
    enabled: Boolean(id),
  });
}

export function useCollections() {
  return useQuery({
    queryKey: keys.collections,
    queryFn: async () => ((await unwrap(api.GET("/api/content-assets/collections"))) as unknown as Page<Collection>).items,
  });
}

export function useBoards() {
  return useQuery({
    queryKey: keys.boards,
    queryFn: async () => ((await unwrap(api.GET("/api/content-assets/boards"))) as unknown as Page<Board>).items,
  });
}

/** Every library change refreshes the library (lists, counts, boards). */
function useLibraryMutation<A, R>(run: (args: A) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: queryKeys.assets }),
  });
}

export const usePatchAsset = () => useLibraryMutation(
  ({ id, ...body }: { id: string; favourite?: boolean; title?: string; tags?: string[] }) =>
    unwrap(api.PATCH("/api/content-assets/{asset_id}", { params: { path: { asset_id: id } }, body })));

export const useTrashAsset = () => useLibraryMutation((id: string) =>
  unwrap(api.DELETE("/api/content-assets/{asset_id}", { params: { path: { asset_id: id } } })));

export const useRestoreAsset = () => useLibraryMutation((id: string) =>
  unwrap(api.POST("/api/content-assets/{asset_id}/restore", { params: { path: { asset_id: id } } })));

export const useBulkDelete = () => useLibraryMutation((assetIds: string[]) =>
  unwrap(api.POST("/api/content-assets/bulk-delete", { body: { asset_ids: assetIds } })));

export const useCreateCollection = () => useLibraryMutation(
  (body: { name: string; description?: string }) =>
    unwrap(api.POST("/api/content-assets/collections", { body: { description: "", ...body } })) as unknown as Promise<Collection>);

export const useRenameCollection = () => useLibraryMutation(({ id, name }: { id: string; name: string }) =>
  unwrap(api.PATCH("/api/content-assets/collections/{collection_id}", {
    params: { path: { collection_id: id } }, body: { name } })));

export const useDeleteCollection = () => useLibraryMutation((id: string) =>
  unwrap(api.DELETE("/api/content-assets/collections/{collection_id}", { params: { path: { collection_id: id } } })));

export const useAddToCollection = () => useLibraryMutation(({ id, assetIds }: { id: string; assetIds: string[] }) =>
  unwrap(api.POST("/api/content-assets/collections/{collection_id}/assets", {
    params: { path: { collection_id: id } }, body: { asset_ids: assetIds } })));

export const useRemoveFromCollection = () => useLibraryMutation(
  ({ id, assetId }: { id: string; assetId: string }) =>
    unwrap(api.DELETE("/api/content-assets/collections/{collection_id}/assets/{asset_id}", {
      params: { path: { collection_id: id, asset_id: assetId } } })));

export const useShareBoard = () => useLibraryMutation(
  (body: { collection_id: string; title?: string; password?: string; expires_in_hours?: number }) =>
    unwrap(api.POST("/api/content-assets/boards", { body })) as unknown as Promise<Board>);

export const useRevokeBoard = () => useLibraryMutation((id: string) =>
  unwrap(api.POST("/api/content-assets/boards/{board_id}/revoke", { params: { path: { board_id: id } } })));

/** One ZIP of the chosen assets (with a manifest.csv), saved by the browser. */
export async function downloadZip(assetIds: string[]): Promise<void> {
  const response = await authFetch("/api/content-assets/bulk-download", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ asset_ids: assetIds }),
  });
  if (!response.ok) throw await errorFromResponse(response);
  const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "assets.zip";
  saveBlob(await response.blob(), name);
}

export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The public board: no token; the password travels in a header, never in the URL. */
export async function openSharedBoard(token: string, password: string | null): Promise<SharedBoard> {
  const response = await fetch(`/api/shared/${encodeURIComponent(token)}`, {
    headers: password ? { "X-Board-Password": password } : {},
  });
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as SharedBoard;
}

/** A same-origin path for a signed URL, so it works whatever host name the gateway was configured with. */
export function localPath(url: string): string {
  const at = url.indexOf("/api/");
  return at >= 0 ? url.slice(at) : url;
}
