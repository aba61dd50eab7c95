'use client';
// The API reference: /api/openapi.json rendered by Scalar (a maintained renderer), with nothing fetched from
// other sites and no links to them: no web fonts, no telemetry, no AI agent, no hosted client; "Test request"
// calls this service itself.
import { ApiReferenceReact } from '@scalar/api-reference-react';
import '@scalar/api-reference-react/style.css';

// Scalar's light theme draws its greys (#8e8e8e, the search box's placeholder) and its HTTP-method colours
// (#069061 for POST) below WCAG AA's 4.5:1 at its small sizes: darker ones, set with a specificity that wins over
// the theme's `.light-mode` whichever style sheet comes last.
const CONTRAST_CSS = `
.scalar-app.scalar-app, .scalar-app .light-mode.light-mode {
  --scalar-color-2: #525252;
  --scalar-color-3: #5c5c5c;
  --scalar-sidebar-color-2: #525252;
  --scalar-sidebar-search-color: #5c5c5c;
  --scalar-color-green: #047857;
  --scalar-color-blue: #1d4ed8;
  --scalar-color-orange: #c2410c;
  --scalar-color-yellow: #a16207;
  --scalar-color-red: #b91c1c;
  --scalar-color-purple: #7e22ce;
}
`;

export function ApiReference() {
  return (
    <div className="-mx-4 sm:-mx-6">
      <ApiReferenceReact
        configuration={{
          url: '/api/openapi.json',
          withDefaultFonts: false,
          telemetry: false,
          showDeveloperTools: 'never',
          hideDarkModeToggle: true,
          forceDarkModeState: 'light',
          layout: 'modern',
          hideClientButton: true,
          agent: { disabled: true },
          customCss: CONTRAST_CSS,
        }}
      />
    </div>
  );
}
