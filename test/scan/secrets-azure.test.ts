/**
 * Azure connection strings: the storage (and Cosmos DB) account key after `AccountKey=`, the shared
 * access key after `SharedAccessKey=` (Service Bus, Event Hubs, IoT Hub), in any file and however
 * the string is quoted; Azurite's published development key and placeholders stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { scanFiles } from './helpers.js';

// Built from parts so this test file does not itself look like it holds credentials.
const ACCOUNT_KEY = 'cQSOjy+KLeDDDFlZib21s6nH06g9ToK0vJgxjY3pz9v5TY25Q45W' + 'gSWXwXmEmSVSYm7KQKDIZ57egQPuKzjVhw==';
const SHARED_KEY = 'Xq7Lm2Np9Rt4Vw6Yb1Nc3Kd5' + 'Fg8Hj0Zs2Ae4Ti6Uo8P=';
const COSMOS_EMULATOR = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4' + 'QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';
const AZURITE = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsu' + 'Fq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

function found(result: Awaited<ReturnType<typeof scanFiles>>): string[] {
  return result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule} ${f.severity} ${f.secret!.kind}`).sort();
}

describe('Azure connection strings', () => {
  it('an account key or a shared access key in a connection string is a critical finding, its value in no field', async () => {
    const result = await scanFiles({
      'storage.cfg': `conn = DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net\n`,
      'app/bus.py': `BUS = "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${SHARED_KEY}"\n`,
      'appsettings.json': `{"Cosmos": "AccountEndpoint=https://acme.documents.azure.com:443/;AccountKey=${ACCOUNT_KEY};"}\n`,
    });
    expect(found(result)).toEqual([
      'app/bus.py:1 secret-azure-key critical Azure shared access key',
      'appsettings.json:1 secret-azure-key critical Azure storage account key',
      'storage.cfg:1 secret-azure-key critical Azure storage account key',
    ]);
    const json = JSON.stringify(result);
    expect(json).not.toContain(ACCOUNT_KEY.slice(0, 20));
    expect(json).not.toContain(SHARED_KEY.slice(0, 20));
  });

  it('Azurite\'s development key, documented placeholders and a key name alone stay quiet', async () => {
    const result = await scanFiles({
      'docker-compose.yml': `services:\n  app:\n    image: app:1.0\n    environment:\n      STORAGE: "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE};BlobEndpoint=http://azurite:10000/devstoreaccount1;"\n`,
      'README.md': [
        'DefaultEndpointsProtocol=https;AccountName=myAccountName;AccountKey=myAccountKey;EndpointSuffix=core.windows.net',
        'Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=<key-name>;SharedAccessKey=<key>',
        `AccountKey=${'x'.repeat(86)}==`,
      ].join('\n'),
    });
    expect(found(result)).toEqual([]);
  });

  it('an account key under an ordinary setting name (AccountKey, account_key, storage_key, AZURE_STORAGE_KEY, SharedAccessKey, master_key) is found', async () => {
    const result = await scanFiles({
      'appsettings.json': `{\n  "Storage": {\n    "AccountName": "acct",\n    "AccountKey": "${ACCOUNT_KEY}"\n  }\n}\n`,
      'settings.ini': `[azure]\naccount_key = ${ACCOUNT_KEY}\nstorage_key = ${ACCOUNT_KEY}\nstorage-account-key = ${ACCOUNT_KEY}\n`,
      'deploy.sh': `export AZURE_STORAGE_KEY="${ACCOUNT_KEY}"\n`,
      'bus.yml': `servicebus:\n  shared_access_key: "${SHARED_KEY}"\n  shared_access_key_name: RootManageSharedAccessKey\n`,
      'cosmos.toml': `master_key = "${ACCOUNT_KEY}"\n`,
      'lower.cfg': `conn = defaultendpointsprotocol=https;accountname=acct;accountkey=${ACCOUNT_KEY};endpointsuffix=core.windows.net\n`,
    });
    expect(result.findings.filter((f) => f.kind === 'secret').map((f) => `${f.file}:${f.line} ${f.rule}`).sort()).toEqual([
      'appsettings.json:4 secret-assigned',
      'bus.yml:2 secret-assigned',
      'cosmos.toml:1 secret-assigned',
      'deploy.sh:1 secret-assigned',
      'lower.cfg:1 secret-assigned',
      'settings.ini:2 secret-assigned',
      'settings.ini:3 secret-assigned',
      'settings.ini:4 secret-assigned',
    ]);
    expect(JSON.stringify(result)).not.toContain(ACCOUNT_KEY.slice(0, 20));
  });

  it('placeholders and Azurite\'s key under those names stay quiet, and so do names that hold no key', async () => {
    const result = await scanFiles({
      'appsettings.json': `{"AccountKey": "<your-account-key>", "StorageKey": "${AZURITE}", "storage_account_key": "${'x'.repeat(86)}=="}\n`,
      '.env.example': `AZURE_STORAGE_KEY=your_storage_key_here\nACCOUNT_KEY=changeme\n`,
      'config.yml': `account_key_name: primary\nstorage_key_path: /run/secrets/storage\nshared_access_key_name: RootManageSharedAccessKey\nmaster_key_file: keys/master.key\n`,
      'compose.yml': `x: DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;\n`,
    });
    expect(found(result)).toEqual([]);
  });

  it('the Cosmos DB emulator\'s published key stays quiet, in a connection string or under a key name', async () => {
    const result = await scanFiles({
      'compose.yml': `services:\n  app:\n    environment:\n      COSMOS: AccountEndpoint=https://localhost:8081/;AccountKey=${COSMOS_EMULATOR}\n`,
      'appsettings.Development.json': `{"Cosmos": {"AccountKey": "${COSMOS_EMULATOR}", "master_key": "${COSMOS_EMULATOR}"}}\n`,
    });
    expect(found(result)).toEqual([]);
  });
});
