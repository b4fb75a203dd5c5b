// The function app's user-assigned identity: the host (AzureWebJobsStorage__*), the deployment
// storage, Key Vault references and the app's DefaultAzureCredential all use this one identity.
param name string
param location string = resourceGroup().location
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
