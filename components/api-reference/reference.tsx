'use client';
// The API reference: /api/openapi.json rendered by Scalar (a maintained renderer), with nothing fetched from
// other sites and no links to them: no web fonts, no telemetry, no AI agent, no hosted client; "Test request"
// calls this service itself.
import { ApiReferenceReact } from '@scalar/api-reference-react';
import '@scalar/api-reference-react/style.css';

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
        }}
      />
    </div>
  );
}
