import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Estimate } from "../../api/types";
import { CostDisplay, coverage, describeCost } from "./CostDisplay";

const estimate: Estimate = {
  kind: "create", provider: "local", model: "local-render", unit: "image", units: 2, credits_per_unit: 1,
  estimated_credits: 2, estimated_usd: 0.02, available_credits: 200, covered: true, would_reject: null,
};

describe("CostDisplay", () => {
  it("shows the credits, the unit price and that the balance covers it", () => {
    render(<CostDisplay estimate={estimate} />);
    expect(screen.getByTestId("cost-credits")).toHaveTextContent("2");
    expect(screen.getByTestId("cost")).toHaveTextContent("2 credits (≈ $0.02) for 2 images at 1 each");
    expect(screen.getByTestId("cost-coverage")).toHaveTextContent("Your balance of 200 credits covers it.");
  });

  it("shows billing's own reason when the balance or plan does not allow it", () => {
    const short = { ...estimate, estimated_credits: 500, covered: false, available_credits: 10,
      would_reject: { reason: "insufficient_credits", message: "needs 500 credits, 10 available" } };
    render(<CostDisplay estimate={short} />);
    expect(screen.getByTestId("cost-coverage")).toHaveTextContent("needs 500 credits, 10 available");
    expect(screen.getByTestId("cost")).toHaveClass("cost-short");
  });

  it("says when it is pricing, and when fields must be fixed first", () => {
    const { rerender } = render(<CostDisplay estimate={undefined} pending />);
    expect(screen.getByTestId("cost")).toHaveTextContent("Pricing…");
    rerender(<CostDisplay estimate={undefined} error={new Error("x")} />);
    expect(screen.getByTestId("cost")).toHaveTextContent("No price yet: fix the fields marked below.");
    rerender(<CostDisplay estimate={estimate} pending />);
    expect(screen.getByTestId("cost")).toHaveTextContent("(updating…)");
  });

  it("words single units and coverage", () => {
    expect(describeCost({ ...estimate, units: 1, estimated_credits: 1, estimated_usd: 0.01 }))
      .toBe("1 credit (≈ $0.01) for 1 image at 1 each");
    expect(coverage({ ...estimate, covered: false, would_reject: null }).text).toBe("Your balance does not cover it.");
  });
});
