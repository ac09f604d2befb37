import { describe, expect, it } from "vitest";
import { isStaleChunk } from "../../app/RouteError";
import { safeNext } from "./index";

describe("safeNext", () => {
  it("keeps paths inside the studio", () => {
    expect(safeNext("/library?favourite=true")).toBe("/library?favourite=true");
  });

  it("never sends the user to another site after sign-in", () => {
    for (const next of ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "", null]) {
      expect(safeNext(next)).toBe("/create");
    }
  });
});

describe("isStaleChunk", () => {
  it("recognises a lazily loaded chunk that no longer exists", () => {
    expect(isStaleChunk(new TypeError("Failed to fetch dynamically imported module: /assets/x.js"))).toBe(true);
    expect(isStaleChunk(new Error("boom"))).toBe(false);
    expect(isStaleChunk("text")).toBe(false);
  });
});
