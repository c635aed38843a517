// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import { appendBold } from "./bold.js";
import { SwitchboardWebchatElement, webchatTagName } from "./webchat-element.js";
import { readWidgetConfig } from "./widget-config.js";

if (!customElements.get(webchatTagName))
  customElements.define(webchatTagName, SwitchboardWebchatElement);

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
  localStorage.clear();
});

describe("<switchboard-webchat>", () => {
  it("renders its launcher and closed panel in a shadow root from its data attributes", () => {
    const widget = document.createElement(webchatTagName);
    widget.setAttribute("data-server", "http://switchboard.test/webchat.js");
    widget.setAttribute("data-title", "Harbor Bikes <b>");
    widget.setAttribute("data-accent", "red; background: url(x)");
    document.body.append(widget);
    const root = widget.shadowRoot!;
    expect(root.querySelector("#sbw-title")?.textContent).toBe("Harbor Bikes <b>");
    expect(root.querySelector("b")).toBeNull();
    expect(root.querySelector<HTMLElement>(".panel")?.hidden).toBe(true);
    expect(root.querySelector(".launcher")?.getAttribute("aria-label")).toBe("Open chat");
    // No token stored, not asked to open: nothing is requested until the visitor opens it.
    expect(localStorage.length).toBe(0);
  });

  it("does nothing without a server to talk to", () => {
    const widget = document.createElement(webchatTagName);
    document.body.append(widget);
    expect(widget.shadowRoot).toBeNull();
  });

  it("hides the launcher while open, so on a phone nothing covers Send", () => {
    // Opening starts the session; this test is about layout, so the request never answers.
    vi.stubGlobal("fetch", () => new Promise(() => {}));
    const widget = document.createElement(webchatTagName) as SwitchboardWebchatElement;
    widget.setAttribute("data-server", "http://switchboard.test");
    document.body.append(widget);
    const wrapper = widget.shadowRoot!.querySelector(".sbw")!;
    widget.openPanel();
    expect(wrapper.classList.contains("is-open")).toBe(true);
    widget.closePanel();
    expect(wrapper.classList.contains("is-open")).toBe(false);
  });
});

describe("widget settings", () => {
  const element = (attributes: Record<string, string>) => ({
    getAttribute: (name: string) => attributes[name] ?? null,
  });

  it("falls back to defaults and refuses an accent that is not a hex colour", () => {
    const config = readWidgetConfig(element({ "data-accent": "red;}" }), "http://x.test");
    expect(config).toMatchObject({
      title: "Chat with us",
      accent: "#4c6ef5",
      open: false,
      theme: "auto",
    });
    expect(
      readWidgetConfig(
        element({ "data-accent": "#123abc", "data-open": "true", "data-theme": "dark" }),
        "x",
      ),
    ).toMatchObject({ accent: "#123abc", open: true, theme: "dark" });
  });

  it("shows the agent's **bold** as bold, built from text", () => {
    const parent = document.createElement("p");
    appendBold(parent, "Find us at **14 Quay Street** <script>x</script>");
    expect(parent.querySelector("strong")?.textContent).toBe("14 Quay Street");
    expect(parent.querySelector("script")).toBeNull();
    expect(parent.textContent).toBe("Find us at 14 Quay Street <script>x</script>");
  });
});
