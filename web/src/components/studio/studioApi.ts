// Server state for the studios (edit, upscale, control, social, transform): their operation catalogues,
// the social formats, and submitting one operation as multipart with an idempotency key per click.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, postForm, unwrap } from "../../api/client";
import { queryKeys } from "../../api/keys";
import type { Accepted, Page } from "../../api/types";

export type FieldSchema = {
  type?: string;
  anyOf?: FieldSchema[];
  enum?: (string | number)[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxLength?: number;
  description?: string;
  title?: string;
  items?: FieldSchema;
};

export type ImageRoleInfo = { field: string; asset_field: string; required: boolean; description: string };
export type PriceOffer = { provider: string; model: string; kind: string; credits_per_unit: number; unit: string;
  enabled: boolean };

export type OperationInfo = {
  operation: string;
  kind: string;
  title: string;
  max_input_pixels: number;
  images: ImageRoleInfo[];
  audio: "none" | "optional" | "required";
  fields: Record<string, FieldSchema>;
  required: string[];
  prices: PriceOffer[];
};

export type SocialFormat = { id: string; platform: string; name: string; label: string; width: number; height: number;
  max_bytes: number; file_types: string[]; safe_zone: { top: number; bottom: number; left: number; right: number } };
export type SocialPlatform = { id: string; name: string; max_bytes: number; file_types: string[];
  formats: SocialFormat[] };

export type Catalogue = "edit" | "control" | "transform" | "upscale";
const CATALOGUE_PATHS = {
  edit: "/api/image-studio/edit/operations",
  control: "/api/image-studio/control/operations",
  transform: "/api/image-studio/transform/operations",
} as const;

export function useOperationCatalogue(catalogue: Exclude<Catalogue, "upscale">) {
  return useQuery({
    queryKey: ["catalog", "operations", catalogue],
    queryFn: async () => ((await unwrap(api.GET(CATALOGUE_PATHS[catalogue]))) as unknown as Page<OperationInfo>).items,
    staleTime: 5 * 60_000,
  });
}

export function useSocialPlatforms() {
  return useQuery({
    queryKey: ["catalog", "social-platforms"],
    queryFn: async () =>
      ((await unwrap(api.GET("/api/image-studio/social/platforms"))) as unknown as Page<SocialPlatform>).items,
    staleTime: 5 * 60_000,
  });
}

export type StudioPath =
  | "/api/image-studio/edit/process"
  | "/api/image-studio/upscale"
  | "/api/image-studio/control/process"
  | "/api/image-studio/social/optimize"
  | "/api/image-studio/transform/image-to-video"
  | "/api/image-studio/transform/talking-avatar"
  | "/api/image-studio/transform/image-to-3d";

/** Each click gets its own Idempotency-Key, so a retried request never runs (or charges) twice. */
export function useSubmitOperation(path: StudioPath) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (form: FormData) =>
      postForm<Accepted>(path, form, { headers: { "Idempotency-Key": crypto.randomUUID() } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.billing });
      void queryClient.invalidateQueries({ queryKey: queryKeys.operations });
    },
  });
}
