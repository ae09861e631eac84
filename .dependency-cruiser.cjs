// Layer rules, checked by `npm run lint` (dependency-cruiser). See docs/architecture.md.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'libs-stand-alone',
      comment: 'libs/ is plain code shared by server and client: it imports neither.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^(server|client)/' },
    },
    {
      name: 'infrastructure-knows-no-product',
      comment:
        'server/src/infrastructure is the floor every product module stands on: it imports none of them (they plug in through injection tokens such as Authenticator).',
      severity: 'error',
      from: { path: '^server/src/infrastructure/' },
      to: { path: '^server/src/', pathNot: '^server/src/infrastructure/' },
    },
    {
      name: 'client-knows-no-server',
      comment: 'The console talks to the server over GraphQL only; shared rules live in libs/.',
      severity: 'error',
      from: { path: '^client/' },
      to: { path: '^server/' },
    },
    {
      name: 'server-knows-no-client',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^client/' },
    },
    {
      name: 'no-circular-modules',
      comment: 'Product modules depend one way (members -> campaigns); a cycle means a missing port.',
      severity: 'error',
      from: { path: '^server/src/' },
      to: { circular: true, pathNot: '\\.(entity|model)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(node_modules|dist)/|\\.angular/|client/src/app/graphql/generated\\.ts$' },
  },
};
