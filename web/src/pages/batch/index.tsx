// Batch: submit a file of rows, review its errors and price, confirm, then follow it live and download
// the results. The open batch is in the address (?batch=<id>), so a reload or a shared link finds it.
import { useState } from "react";
import { useSearchParams } from "react-router";
import { PageHeader } from "../../components/PageHeader";
import { BatchDetail } from "../../components/batch/BatchDetail";
import { BatchList } from "../../components/batch/BatchList";
import { BatchUpload } from "../../components/batch/BatchUpload";
import type { Draft } from "../../components/batch/types";
import "../../components/batch/batch.css";

export default function BatchPage() {
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState<Draft | undefined>();
  const open = params.get("batch") ?? undefined;
  const select = (id: string | undefined) => setParams(id ? { batch: id } : {});
  return (
    <div className="stack">
      <PageHeader title="Batch" />
      {open ? (
        <div className="stack">
          <BatchDetail id={open} draft={draft} onClose={() => select(undefined)} />
          <BatchList onOpen={select} />
        </div>
      ) : (
        <div className="grid-2">
          <BatchUpload onSubmitted={(submitted) => { setDraft(submitted); select(submitted.id); }} />
          <BatchList onOpen={select} />
        </div>
      )}
    </div>
  );
}
