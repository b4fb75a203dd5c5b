targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; hashed into resourceToken for unique resource names.')
param environmentName string

@minLength(1)
@description('Location for all resources; must offer Flex Consumption and Cosmos DB serverless.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Developer or CI principal granted data access for debugging (azd sets AZURE_PRINCIPAL_ID). Empty grants nothing.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

param resourceGroupName string = ''

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Flex Consumption scale-out cap (40 to 1000); the low default bounds cost.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Cosmos DB capacity: serverless (default) or provisioned autoscale shared by the database.')
@allowed(['serverless', 'autoscale'])
param cosmosThroughputMode string = 'serverless'

@minValue(1000)
param cosmosAutoscaleMaxThroughput int = 1000

@description('Payment provider. The local sandbox runs only in Development and is refused in Azure.')
@allowed(['WeChatPay'])
param paymentsProvider string = 'WeChatPay'

@description('Payout provider for approved withdrawals: WeChatPay transfers to WeChat balances through the payments merchant (its settings are required above); None pauses payouts (withdrawals wait). The sandbox is Development-only.')
@allowed(['None', 'WeChatPay'])
param payoutProvider string = 'WeChatPay'

@description('WeChat mini-program AppID (public). Required: the app refuses to start with a half-configured WeChat login.')
@minLength(1)
param weChatAppId string

@description('WeChat Pay merchant id (public). Required: the app refuses to start with a half-configured WeChat Pay.')
@minLength(1)
param weChatPayMchId string

@description('Serial number of the WeChat Pay merchant API certificate (public).')
@minLength(1)
param weChatPayMerchantSerialNumber string

@description('Id of the WeChat Pay public key (PUB_KEY_ID_…) or platform certificate serial that signs callbacks; its PEM is the Key Vault secret wechatpay-platform-public-key.')
@minLength(1)
param weChatPayPublicKeyId string

@description('WeChat Pay notify URL; empty means the function app\'s default host name.')
param weChatPayNotifyUrl string = ''

@description('SMS gateway for phone login codes. None: phone login answers 503. TencentCloud: needs the tencentSms* parameters and the Key Vault secrets tencentcloud-secret-id and tencentcloud-secret-key.')
@allowed(['None', 'TencentCloud'])
param smsProvider string = 'None'

@description('Tencent Cloud SMS SdkAppId (public).')
param tencentSmsSdkAppId string = ''

@description('Approved Tencent Cloud SMS signature name.')
param tencentSmsSignName string = ''

@description('Approved Tencent Cloud SMS template id; its parameters are {1} the code and {2} the minutes it stays valid.')
param tencentSmsTemplateId string = ''

@description('Tencent Cloud SMS region.')
param tencentSmsRegion string = 'ap-guangzhou'

@description('Push channel beside the message center. None: message center only. WeChat: mini-program subscribe messages with the login app (weChatAppId, wechat-app-secret) and weChatPushTemplates.')
@allowed(['None', 'WeChat'])
param pushProvider string = 'None'

@description('JSON object: subscribe-message template id per notification key, e.g. {"order.offered":"<template id>"}; keys without one are not pushed. A string so azd can pass it from one environment value.')
param weChatPushTemplates string = ''

@description('Mini-program version a tapped push opens: formal | trial | developer.')
@allowed(['formal', 'trial', 'developer'])
param weChatPushMiniProgramState string = 'formal'

@secure()
@description('Initial `jwt-signing-key` secret; empty leaves it to be set in Key Vault after provisioning.')
param jwtSigningKey string = ''

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'
var cosmosDatabaseName = 'homeservice'

// The one list of queues. It must equal FunctionCatalog.QueueNames in the app (each queue a
// function reads, its -poison queue, and queues the app only sends to); the BicepConsistencyTests
// read this literal from the compiled template, so keep it a plain literal.
var queueNames = [
  'browsing-history'
  'browsing-history-poison'
  'push-messages'
  'push-messages-poison'
]

// Private blob containers of the app (the Flex deployment container is added by the module).
var blobContainerNames = ['uploads']

// The integration-event topic (ARCHITECTURE D4) and its subscriptions, one per downstream system. The topic name
// must equal IntegrationEventsOptions.DefaultTopic in the app; the BicepConsistencyTests read these literals from
// the compiled template, so keep them plain literals.
var integrationEventsTopicName = 'order-events'
var integrationEventsSubscriptionNames = [
  'analytics'
  'crm'
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module apiIdentity './app/identity.bicep' = {
  name: 'apiIdentity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring './app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    blobContainerNames: blobContainerNames
    queueNames: queueNames
  }
}

module cosmos './app/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    accountName: '${abbrs.documentDBDatabaseAccounts}${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    throughputMode: cosmosThroughputMode
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    dataContributorPrincipalIds: filter([apiIdentity.outputs.principalId, principalId], id => !empty(id))
  }
}

module keyVault './app/keyvault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    jwtSigningKey: jwtSigningKey
  }
}

module serviceBus './app/servicebus.bicep' = {
  name: 'serviceBus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
    topicName: integrationEventsTopicName
    subscriptionNames: integrationEventsSubscriptionNames
    senderPrincipalId: apiIdentity.outputs.principalId
  }
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    appPrincipalId: apiIdentity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

// Versionless secret URIs: the app picks up a rotated secret without a redeployment.
var secretUri = '${keyVault.outputs.uri}secrets'

// Settings of the optional channels, present only when chosen (the app refuses to start half-configured).
var smsSettings = smsProvider == 'TencentCloud'
  ? {
      Auth__Sms__TencentCloud__SecretId: '@Microsoft.KeyVault(SecretUri=${secretUri}/tencentcloud-secret-id)'
      Auth__Sms__TencentCloud__SecretKey: '@Microsoft.KeyVault(SecretUri=${secretUri}/tencentcloud-secret-key)'
      Auth__Sms__TencentCloud__SdkAppId: tencentSmsSdkAppId
      Auth__Sms__TencentCloud__SignName: tencentSmsSignName
      Auth__Sms__TencentCloud__TemplateId: tencentSmsTemplateId
      Auth__Sms__TencentCloud__Region: tencentSmsRegion
    }
  : {}
// App-setting names can't hold '-' on Linux: the app reads '_' in a template key as '-'.
var pushSettings = pushProvider == 'WeChat'
  ? union(
      { Notifications__Push__WeChat__MiniProgramState: weChatPushMiniProgramState },
      toObject(
        items(json(empty(weChatPushTemplates) ? '{}' : weChatPushTemplates)),
        t => 'Notifications__Push__WeChat__Templates__${replace(t.key, '-', '_')}__TemplateId',
        t => string(t.value)
      )
    )
  : {}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  // Roles first (Cosmos and Service Bus grants come with those modules' outputs), so the first start can reach its data.
  dependsOn: [rbac]
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: 'api'
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    identityId: apiIdentity.outputs.id
    identityClientId: apiIdentity.outputs.clientId
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    appSettings: {
      ASPNETCORE_ENVIRONMENT: 'Production'
      // DefaultAzureCredential picks the user-assigned identity from this.
      AZURE_CLIENT_ID: apiIdentity.outputs.clientId
      Cosmos__Endpoint: cosmos.outputs.endpoint
      Cosmos__Database: cosmos.outputs.databaseName
      Cosmos__CreateIfNotExists: 'false'
      Storage__BlobServiceUri: storage.outputs.blobEndpoint
      Storage__QueueServiceUri: storage.outputs.queueEndpoint
      Auth__SigningKey: '@Microsoft.KeyVault(SecretUri=${secretUri}/jwt-signing-key)'
      Workers__IdNumberHashKey: '@Microsoft.KeyVault(SecretUri=${secretUri}/worker-id-hash-key)'
      Auth__WeChat__Provider: 'WeChat'
      Auth__WeChat__AppId: weChatAppId
      Auth__WeChat__AppSecret: '@Microsoft.KeyVault(SecretUri=${secretUri}/wechat-app-secret)'
      // None: phone login answers 503 (never the sandbox in Azure).
      Auth__Sms__Provider: smsProvider
      // None: the message center is the only channel (never the sandbox in Azure).
      Notifications__Push__Provider: pushProvider
      Payments__Provider: paymentsProvider
      // Names follow WeChatPayOptions (section Payments:WeChatPay); public keys are keyed by their serial.
      Payments__WeChatPay__AppId: weChatAppId
      Payments__WeChatPay__MchId: weChatPayMchId
      Payments__WeChatPay__MerchantSerialNo: weChatPayMerchantSerialNumber
      Payments__WeChatPay__MerchantPrivateKeyPem: '@Microsoft.KeyVault(SecretUri=${secretUri}/wechatpay-private-key)'
      Payments__WeChatPay__ApiV3Key: '@Microsoft.KeyVault(SecretUri=${secretUri}/wechatpay-apiv3-key)'
      'Payments__WeChatPay__PlatformPublicKeys__${weChatPayPublicKeyId}': '@Microsoft.KeyVault(SecretUri=${secretUri}/wechatpay-platform-public-key)'
      Payments__WeChatPay__NotifyUrl: empty(weChatPayNotifyUrl) ? 'https://${functionAppName}.azurewebsites.net/api/payments/wechatpay/notify' : weChatPayNotifyUrl
      Money__CardHashKey: '@Microsoft.KeyVault(SecretUri=${secretUri}/card-hash-key)'
      // WeChat Pay 商家转账 (transfer-bills, scene 1005) through the payments merchant; None pauses payouts (never the sandbox in Azure).
      Money__PayoutProvider: payoutProvider
      // Every order state change, once per event (message id = event id), with the app identity as Data Sender.
      IntegrationEvents__Provider: 'ServiceBus'
      IntegrationEvents__ServiceBus__FullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
      IntegrationEvents__ServiceBus__Topic: integrationEventsTopicName
    }
    optionalAppSettings: union(smsSettings, pushSettings)
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_FUNCTION_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_CLIENT_ID string = apiIdentity.outputs.clientId
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.applicationInsightsConnectionString
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE string = cosmos.outputs.databaseName
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URI string = keyVault.outputs.uri
output SERVICEBUS_NAMESPACE string = serviceBus.outputs.name
