// Cosmos DB (NoSQL): account, database `homeservice` and every container of docs/data-model.md.
// Key auth is disabled; data-plane access is granted by Cosmos SQL role assignments.
param accountName string
param location string = resourceGroup().location
param tags object = {}
param databaseName string

@allowed(['serverless', 'autoscale'])
param throughputMode string = 'serverless'

@description('Autoscale maximum RU/s shared by the database (autoscale mode only).')
@minValue(1000)
param autoscaleMaxThroughput int = 1000

@description('Principals granted the built-in Cosmos DB Built-in Data Contributor role.')
param dataContributorPrincipalIds string[]

type containerSpec = {
  name: string
  partitionKeyPath: string
  @description('-1 turns TTL on without a default, so each item sets its own `ttl`.')
  defaultTtl: int?
}

// The one list of containers. It must equal CosmosContainers.All in the app; the
// BicepConsistencyTests read this literal from the compiled template, so keep it a plain literal.
var cosmosContainers containerSpec[] = [
  { name: 'users', partitionKeyPath: '/id' }
  { name: 'identities', partitionKeyPath: '/id' }
  { name: 'auth', partitionKeyPath: '/id', defaultTtl: -1 }
  { name: 'catalog', partitionKeyPath: '/type' }
  { name: 'profiles', partitionKeyPath: '/userId' }
  { name: 'workers', partitionKeyPath: '/id' }
  { name: 'schedules', partitionKeyPath: '/workerId' }
  { name: 'orders', partitionKeyPath: '/id' }
  { name: 'idempotency', partitionKeyPath: '/id', defaultTtl: -1 }
  { name: 'messages', partitionKeyPath: '/userId' }
  { name: 'system', partitionKeyPath: '/id' }
  { name: 'ledger', partitionKeyPath: '/id' }
  { name: 'wallets', partitionKeyPath: '/ownerKey' }
  { name: 'withdrawals', partitionKeyPath: '/id' }
]

// The app's queries filter and sort on ordinary properties across each document, so every
// container keeps consistent indexing of all paths (the Cosmos default), stated explicitly.
var indexingPolicy = {
  indexingMode: 'consistent'
  automatic: true
  includedPaths: [{ path: '/*' }]
  excludedPaths: [{ path: '/"_etag"/?' }]
}

var isServerless = throughputMode == 'serverless'

// Cosmos DB Built-in Data Contributor.
var dataContributorRoleDefinitionId = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: accountName
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    capabilities: isServerless ? [{ name: 'EnableServerless' }] : []
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
    // Serverless accounts take no throughput; provisioned ones share autoscale RU/s across containers.
    options: isServerless ? {} : { autoscaleSettings: { maxThroughput: autoscaleMaxThroughput } }
  }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [
  for container in cosmosContainers: {
    parent: database
    name: container.name
    properties: {
      resource: union(
        {
          id: container.name
          partitionKey: {
            paths: [container.partitionKeyPath]
            kind: 'Hash'
            version: 2
          }
          indexingPolicy: indexingPolicy
        },
        container.?defaultTtl == null ? {} : { defaultTtl: container.?defaultTtl }
      )
    }
  }
]

resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = [
  for principalId in dataContributorPrincipalIds: {
    parent: account
    name: guid(account.id, principalId, dataContributorRoleDefinitionId)
    properties: {
      principalId: principalId
      roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleDefinitionId}'
      scope: account.id
    }
  }
]

output accountName string = account.name
output endpoint string = account.properties.documentEndpoint
output databaseName string = database.name
output containerNames string[] = [for (container, i) in cosmosContainers: containers[i].name]
