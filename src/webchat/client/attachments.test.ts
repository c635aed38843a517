import { describe, expect, it } from "vitest";
import {
  attachmentKind,
  attachmentLabel,
  attachmentProblem,
  describeSize,
  describeTypes,
  shortName,
  uploadType,
} from "./attachments.js";

const rules = {
  maxBytes: 5 * 1024 * 1024,
  contentTypes: ["image/jpeg", "image/png", "audio/ogg", "audio/mp4", "application/pdf"],
};

describe("attachments in the widget", () => {
  it("names a file's type as the server does", () => {
    expect(uploadType({ type: "image/jpg", name: "a.jpg" })).toBe("image/jpeg");
    expect(uploadType({ type: "audio/x-m4a", name: "note.m4a" })).toBe("audio/mp4");
    expect(uploadType({ type: "", name: "Scan.PDF" })).toBe("application/pdf");
    expect(uploadType({ type: "", name: "noextension" })).toBe("");
    expect(uploadType({ type: "audio/ogg; codecs=opus", name: "x" })).toBe("audio/ogg");
  });

  it("refuses a wrong type, an empty file and an oversized one before upload, in plain words", () => {
    expect(
      attachmentProblem({ type: "image/png", name: "bike.png", size: 1000 }, rules),
    ).toBeNull();
    expect(attachmentProblem({ type: "application/zip", name: "x.zip", size: 10 }, rules)).toBe(
      "“x.zip” can’t be sent: you can send photos, audio or PDFs.",
    );
    expect(attachmentProblem({ type: "image/png", name: "e.png", size: 0 }, rules)).toBe(
      "“e.png” is empty.",
    );
    expect(
      attachmentProblem({ type: "image/png", name: "big.png", size: 7.5 * 1024 * 1024 }, rules),
    ).toBe("“big.png” is 7.5 MB; files can be up to 5 MB.");
    expect(
      attachmentProblem({ type: "image/png", name: "edge.png", size: 5 * 1024 * 1024 + 10 }, rules),
    ).toBe("“edge.png” is just over 5 MB, the most you can send.");
  });

  it("describes sizes, types and names briefly", () => {
    expect(describeSize(300 * 1024)).toBe("300 KB");
    expect(describeTypes(["image/png"])).toBe("photos");
    expect(describeTypes(["image/png", "application/pdf"])).toBe("photos or PDFs");
    expect(shortName(`${"a".repeat(60)}.png`)).toBe(`${"a".repeat(24)}…${"a".repeat(8)}.png`);
  });

  it("shows photos as pictures, audio as a player and the rest by name", () => {
    expect(attachmentKind({ contentType: "image/webp" })).toBe("image");
    expect(attachmentKind({ contentType: "image/svg+xml" })).toBe("file");
    expect(attachmentKind({ contentType: "audio/ogg" })).toBe("audio");
    expect(attachmentLabel({ contentType: "application/pdf", filename: null })).toBe(
      "PDF document",
    );
    expect(attachmentLabel({ contentType: "audio/ogg" })).toBe("Voice note");
    expect(attachmentLabel({ contentType: "image/png", filename: "chain.png" })).toBe("chain.png");
  });
});
