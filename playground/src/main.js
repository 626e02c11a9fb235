// The playground's bootstrap, bundled into graphiql.js so index.html needs no inline script.
import './style.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';

// Plain JSON POST to the same origin: opsgraph has no subscriptions or incremental delivery, so
// @graphiql/toolkit's fetcher (websockets, multipart) would only add weight.
async function fetcher(params, opts) {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', ...opts?.headers },
    body: JSON.stringify(params),
    credentials: 'same-origin',
  });
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    // A proxy's or the router's plain-text error: show it instead of a JSON parse error.
    throw new Error(`HTTP ${res.status}: ${text.slice(0, 500)}`);
  }
}

const defaultQuery = `# opsgraph GraphiQL
#
# Staff: run Login below and put its token in the Headers
# tab (bottom left) as
#   {"Authorization": "Bearer <token>"}
# or use a legacy API key; a \`serve --demo\` database has
# the staff key admin123:
#   {"Authorization": "Token admin123"}
# Headers are kept in this browser across reloads.
#
# Run with Ctrl-Enter or ▶ (it asks which operation).

mutation Login {
  login(account: "admin", password: "123456") {
    token
  }
}

query Me {
  me {
    kind
    username
    nickname
    role {
      name
      superuser
      permissions
    }
  }
}
`;

// GraphiQL 3 fills the editors from the graphiql:query/variables/headers keys and opens a new
// tab when those differ from the stored active tab. On mount it also blanks graphiql:headers
// (shouldPersistHeaders is applied before the headers editor exists), so a pasted token would
// survive one reload and the next one would land in an empty new tab. Seeding the keys from the
// stored active tab makes every reload reopen that tab, headers included.
function reopenActiveTab() {
  try {
    const { activeTabIndex, tabs } = JSON.parse(localStorage.getItem('graphiql:tabState'));
    const tab = tabs[activeTabIndex];
    for (const key of ['query', 'variables', 'headers']) {
      if (typeof tab[key] === 'string') localStorage.setItem(`graphiql:${key}`, tab[key]);
      else localStorage.removeItem(`graphiql:${key}`);
    }
  } catch {
    // First visit (nothing stored) or storage disabled: GraphiQL starts from its defaults.
  }
}

reopenActiveTab();
createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: true,
  }),
);
