// A real OpenID Connect provider for Patrimoine's tests (never for production): the certified
// `oidc-provider` package with its static clients (agents, and citizens when asked) and a few test accounts. Its built-in
// development login accepts any password for the logins below; it then asks for consent.
// Usage: node server.js <port> <redirect_uri> <post_logout_redirect_uri> [<citizen_redirect_uri> <citizen_post_logout_uri>]
// The optional last two register a second client, the citizen portal's (FranceConnect-like sign-in).
import Provider from 'oidc-provider';

const [port = '9400', redirectUri, postLogoutUri, citizenRedirectUri, citizenPostLogoutUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  // Verified e-mail matching an existing Patrimoine account: linked on first login.
  'nadia': { email: 'nadia.belkacem@example.org', email_verified: true, given_name: 'Nadia', family_name: 'Belkacem' },
  // Unknown e-mail: a pending account waits for an administrator.
  'inconnu': { email: 'nouvel.agent@example.org', email_verified: true, given_name: 'Nouvel', family_name: 'Agent' },
  // Matching but unverified e-mail: must NOT be linked, waits for an administrator.
  'nonverifie': { email: 'nadia.belkacem@example.org', email_verified: false, given_name: 'Faux', family_name: 'Nadia' },
  // Citizens of the portal's optional sign-in (never agents).
  'marie': { email: 'marie.durand@example.net', email_verified: true, given_name: 'Marie', family_name: 'Durand' },
  'paul': { email: 'paul.martin@example.net', email_verified: true, given_name: 'Paul', family_name: 'Martin' },
};

const CLIENTS = [{
  client_id: 'patrimoine',
  client_secret: 'secret-de-test-patrimoine',
  redirect_uris: [redirectUri],
  post_logout_redirect_uris: [postLogoutUri],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
}];
if (citizenRedirectUri) {
  CLIENTS.push({
    client_id: 'patrimoine-citoyens',
    client_secret: 'secret-de-test-citoyens',
    redirect_uris: [citizenRedirectUri],
    post_logout_redirect_uris: [citizenPostLogoutUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  });
}

const provider = new Provider(issuer, {
  clients: CLIENTS,
  pkce: { required: () => true },  // the relying party must send a S256 code challenge
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] },
  cookies: {
    names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_resume' },
    keys: ['patrimoine-test-provider-cookie-key'],
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider ready on ${issuer}`);
});
