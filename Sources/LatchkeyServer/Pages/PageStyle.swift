/// The stylesheet of the browser pages, served at `/oauth/pages.css` (the
/// policy allows no inline style). Self-contained: system fonts, no `url()`,
/// so a page loads nothing from anywhere else. Colours meet WCAG AA in both
/// schemes (text at least 4.5:1, control borders and the focus ring 3:1).
enum PageStyle {
  static let css = """
    :root {
      --bg: #f3f5f8; --card: #ffffff; --text: #1b2230; --muted: #525c6b;
      --line: #6b7586; --rule: #dde2e9; --accent: #1f5bd1; --accent-hover: #1849a8; --on-accent: #ffffff;
      --error: #a3001b; --error-bg: #fdecee; --focus: #1f5bd1;
      color-scheme: light dark;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #0f1318; --card: #181d24; --text: #e7eaef; --muted: #a7b0bd;
        --line: #7d8898; --rule: #2b323c; --accent: #7fb0ff; --accent-hover: #a8c8ff; --on-accent: #0b1220;
        --error: #ffb3ba; --error-bg: #3a1418; --focus: #9cc2ff;
      }
    }
    *, *::before, *::after { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
    body {
      margin: 0; min-height: 100vh; padding: 1rem;
      display: flex; align-items: center; justify-content: center;
      background: var(--bg); color: var(--text);
      font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
    }
    .card {
      width: 100%; max-width: 26rem; padding: 1.75rem 1.5rem;
      background: var(--card); border: 1px solid var(--rule); border-radius: .75rem;
      box-shadow: 0 1px 3px rgb(0 0 0 / .08), 0 8px 24px rgb(0 0 0 / .06);
      overflow-wrap: anywhere;
    }
    .brand {
      margin: 0 0 1rem; color: var(--muted);
      font-size: .8rem; font-weight: 600; letter-spacing: .08em; text-transform: uppercase;
    }
    h1 { margin: 0 0 .25rem; font-size: 1.5rem; line-height: 1.25; }
    p { margin: 0 0 1rem; }
    .lead { color: var(--muted); }
    .lead b { color: var(--text); }
    .hint { color: var(--muted); font-size: .875rem; }
    form { display: flex; flex-direction: column; margin: 0; }
    label { font-weight: 600; font-size: .9rem; margin: 0 0 .3rem; }
    input {
      font: inherit; color: var(--text); background: var(--card);
      width: 100%; min-height: 2.75rem; padding: .5rem .75rem; margin: 0 0 1rem;
      border: 1px solid var(--line); border-radius: .5rem;
    }
    #user_code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; letter-spacing: .1em; }
    #user_code + .hint { margin-top: -.6rem; }
    button {
      font: inherit; font-weight: 600; cursor: pointer;
      min-height: 2.75rem; padding: .5rem 1.25rem;
      color: var(--on-accent); background: var(--accent);
      border: 1px solid var(--accent); border-radius: .5rem;
    }
    button:hover { background: var(--accent-hover); border-color: var(--accent-hover); }
    #deny { color: var(--text); background: transparent; border-color: var(--line); }
    #deny:hover { background: var(--rule); }
    .actions { display: flex; flex-wrap: wrap; gap: .75rem; }
    .actions button { flex: 1 1 8rem; }
    :focus-visible, input:focus { outline: 3px solid var(--focus); outline-offset: 2px; }
    ul#scopes { margin: 0 0 1.25rem; padding: 0; list-style: none; border-top: 1px solid var(--rule); }
    ul#scopes li {
      padding: .5rem .25rem; border-bottom: 1px solid var(--rule);
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9rem;
    }
    .error {
      color: var(--error); background: var(--error-bg);
      border-left: 4px solid var(--error); border-radius: .25rem; padding: .6rem .75rem;
    }
    @media (forced-colors: active) {
      button, input { border: 1px solid ButtonText; }
      :focus-visible, input:focus { outline: 3px solid Highlight; }
    }

    """
}
