// A real OpenID Connect provider for the hub's login tests: panva's oidc-provider on 127.0.0.1.
//
//   PORT=9000 HUB_URL=http://127.0.0.1:8000 CLIENT_ID=hub CLIENT_SECRET=... node server.mjs
//
// Its development login form (devInteractions) accepts any login and password; the account id is
// the login, with the e-mail address <login>@example.org. One confidential client, the hub, with
// PKCE required. Prints "listening <issuer>" on stdout once it answers.
import process from 'node:process';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 9000);
const hubUrl = (process.env.HUB_URL || 'http://127.0.0.1:8000').replace(/\/$/, '');
const clientId = process.env.CLIENT_ID || 'hub';
const clientSecret = process.env.CLIENT_SECRET || 'hub-test-secret';
const providerName = process.env.PROVIDER_NAME || 'test';
const issuer = `http://127.0.0.1:${port}`;

const configuration = {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [`${hubUrl}/auth/callback/${providerName}`],
      post_logout_redirect_uris: [`${hubUrl}/`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // Test-only keys: cookies are signed with these; nothing here protects real data.
  cookies: { keys: ['hub-test-cookie-key'] },
  async findAccount(ctx, id) {
    const login = String(id).toLowerCase();
    return {
      accountId: login,
      async claims() {
        return {
          sub: login,
          email: `${login}@example.org`,
          email_verified: true,
          name: `Test ${login}`,
        };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
