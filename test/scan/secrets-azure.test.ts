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
});
