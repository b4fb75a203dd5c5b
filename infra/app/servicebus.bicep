// Service Bus for integration events (ARCHITECTURE D4): one topic of order state changes for downstream systems,
// one subscription per consumer. Local (SAS) auth is disabled: the app sends with its managed identity, which holds
// Azure Service Bus Data Sender on the topic only. Standard tier: Basic has no topics.
param name string
param location string = resourceGroup().location
param tags object = {}
param topicName string
param subscriptionNames string[]

@description('Principal (the app identity) granted Azure Service Bus Data Sender on the topic.')
param senderPrincipalId string

var dataSenderRoleId = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }

  resource topic 'topics' = {
    name: topicName
    properties: {
      // The app publishes each event at least once with message id = event id; repeats within a day are dropped.
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: 'P1D'
      defaultMessageTimeToLive: 'P14D'
    }

    resource subscriptions 'subscriptions' = [
      for subscriptionName in subscriptionNames: {
        name: subscriptionName
        properties: {
          maxDeliveryCount: 10
          deadLetteringOnMessageExpiration: true
        }
      }
    ]
  }
}

resource topicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(namespace::topic.id, senderPrincipalId, dataSenderRoleId)
  scope: namespace::topic
  properties: {
    principalId: senderPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', dataSenderRoleId)
  }
}

output name string = namespace.name
// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/; the client wants the host name.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]
output topicName string = namespace::topic.name
