import * as assert from 'assert';
import { listProfileNames } from '../../../../src/extension/logic/awsProfiles';

describe('AWS profile names', () => {
  it('lists profiles from the config and credentials files without duplicates, skipping non-profile sections', () => {
    const config = '[default]\nregion = eu-west-1\n[profile prod]\nrole_arn = x\n[sso-session corp]\nsso_start_url = y\n[services local]\n';
    const credentials = '[default]\naws_access_key_id = AKIAEXAMPLE\n[dev] # comment\naws_secret_access_key = secret\n';
    assert.deepStrictEqual(listProfileNames(config, credentials), ['default', 'prod', 'dev']);
  });

  it('returns nothing when there are no files', () => {
    assert.deepStrictEqual(listProfileNames(undefined, undefined), []);
  });
});
