import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('keeps a URL without a query as it is', () => {
    expect(redactUrl('/health/ready')).toBe('/health/ready');
  });

  it('hides GraphQL documents and variables sent over GET, keeping the operation name', () => {
    const url = `/graphql?query=${encodeURIComponent('mutation { login(username: "a", password: "pw") { accessToken } }')}&variables=%7B%22p%22%3A%22pw%22%7D&operationName=SignIn`;
    expect(redactUrl(url)).toBe('/graphql?query=[redacted]&variables=[redacted]&operationName=SignIn');
  });

  it('hides credential-like parameters however they are spelled or encoded', () => {
    expect(redactUrl('/webhooks/facebook?hub.mode=subscribe&hub.verify_token=abc&hub.challenge=42')).toBe(
      '/webhooks/facebook?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=42',
    );
    expect(redactUrl('/x?access_token=a&API_KEY=b&apiKey=c&Password=d&client%5Fsecret=e&page=2')).toBe(
      '/x?access_token=[redacted]&API_KEY=[redacted]&apiKey=[redacted]&Password=[redacted]&client%5Fsecret=[redacted]&page=2',
    );
  });

  it('hides the tokens, secrets and codes of Graph API calls and of the Facebook login redirect', () => {
    expect(
      redactUrl(
        '/v25.0/oauth/access_token?grant_type=fb_exchange_token&client_id=1&client_secret=s&fb_exchange_token=t',
      ),
    ).toBe(
      '/v25.0/oauth/access_token?grant_type=fb_exchange_token&client_id=1&client_secret=[redacted]&fb_exchange_token=[redacted]',
    );
    expect(redactUrl('/v25.0/debug_token?input_token=p&access_token=1%7Cs')).toBe(
      '/v25.0/debug_token?input_token=[redacted]&access_token=[redacted]',
    );
    expect(redactUrl('/facebook/callback?code=AQB&state=abc.def&error_reason=x')).toBe(
      '/facebook/callback?code=[redacted]&state=[redacted]&error_reason=x',
    );
    expect(redactUrl('http://127.0.0.1:3001/v25.0/1/messages?access_token=EAAB')).toBe(
      'http://127.0.0.1:3001/v25.0/1/messages?access_token=[redacted]',
    );
  });

  it('hides a parameter given without a value or twice', () => {
    expect(redactUrl('/graphql?query&query=b&token=')).toBe(
      '/graphql?query=[redacted]&query=[redacted]&token=[redacted]',
    );
  });
});
