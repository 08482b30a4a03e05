// Protobuf messages of core/v1 volume sources of Pods and PersistentVolumes (k8s.io/api/core/v1/types.go).
// Field numbers and JSON names come from the Go struct tags of k8s.io/api and k8s.io/apimachinery
// 1.34 (`protobuf:"bytes,N,opt,name=x"`, `json:"x,omitempty"`); the notation is explained in ../schema.ts.
import type { MessageTable } from '../schema.ts';

export const CORE_V1_VOLUMES: MessageTable = {
  'core.VolumeSource': {
    1: 'hostPath: core.HostPathVolumeSource', 2: 'emptyDir: core.EmptyDirVolumeSource',
    3: 'gcePersistentDisk: core.GCEPersistentDiskVolumeSource',
    4: 'awsElasticBlockStore: core.AWSElasticBlockStoreVolumeSource', 5: 'gitRepo: core.GitRepoVolumeSource',
    6: 'secret: core.SecretVolumeSource', 7: 'nfs: core.NFSVolumeSource', 8: 'iscsi: core.ISCSIVolumeSource',
    9: 'glusterfs: core.GlusterfsVolumeSource', 10: 'persistentVolumeClaim: core.PersistentVolumeClaimVolumeSource',
    11: 'rbd: core.RBDVolumeSource', 12: 'flexVolume: core.FlexVolumeSource', 13: 'cinder: core.CinderVolumeSource',
    14: 'cephfs: core.CephFSVolumeSource', 15: 'flocker: core.FlockerVolumeSource',
    16: 'downwardAPI: core.DownwardAPIVolumeSource', 17: 'fc: core.FCVolumeSource',
    18: 'azureFile: core.AzureFileVolumeSource', 19: 'configMap: core.ConfigMapVolumeSource',
    20: 'vsphereVolume: core.VsphereVirtualDiskVolumeSource', 21: 'quobyte: core.QuobyteVolumeSource',
    22: 'azureDisk: core.AzureDiskVolumeSource', 23: 'photonPersistentDisk: core.PhotonPersistentDiskVolumeSource',
    26: 'projected: core.ProjectedVolumeSource', 24: 'portworxVolume: core.PortworxVolumeSource',
    25: 'scaleIO: core.ScaleIOVolumeSource', 27: 'storageos: core.StorageOSVolumeSource',
    28: 'csi: core.CSIVolumeSource', 29: 'ephemeral: core.EphemeralVolumeSource', 30: 'image: core.ImageVolumeSource',
  },
  'core.HostPathVolumeSource': { 1: 'path: *string', 2: 'type: *string' },
  'core.EmptyDirVolumeSource': { 1: 'medium: string', 2: 'sizeLimit: Quantity' },
  'core.GCEPersistentDiskVolumeSource': {
    1: 'pdName: *string', 2: 'fsType: string', 3: 'partition: int32', 4: 'readOnly: bool',
  },
  'core.AWSElasticBlockStoreVolumeSource': {
    1: 'volumeID: *string', 2: 'fsType: string', 3: 'partition: int32', 4: 'readOnly: bool',
  },
  'core.GitRepoVolumeSource': { 1: 'repository: *string', 2: 'revision: string', 3: 'directory: string' },
  'core.SecretVolumeSource': {
    1: 'secretName: string', 2: 'items: []core.KeyToPath', 3: 'defaultMode: *int32', 4: 'optional: *bool',
  },
  'core.KeyToPath': { 1: 'key: *string', 2: 'path: *string', 3: 'mode: *int32' },
  'core.NFSVolumeSource': { 1: 'server: *string', 2: 'path: *string', 3: 'readOnly: bool' },
  'core.ISCSIVolumeSource': {
    1: 'targetPortal: *string', 2: 'iqn: *string', 3: 'lun: *int32', 4: 'iscsiInterface: string', 5: 'fsType: string',
    6: 'readOnly: bool', 7: 'portals: []string', 8: 'chapAuthDiscovery: bool', 11: 'chapAuthSession: bool',
    10: 'secretRef: core.LocalObjectReference', 12: 'initiatorName: *string',
  },
  'core.GlusterfsVolumeSource': { 1: 'endpoints: *string', 2: 'path: *string', 3: 'readOnly: bool' },
  'core.PersistentVolumeClaimVolumeSource': { 1: 'claimName: *string', 2: 'readOnly: bool' },
  'core.RBDVolumeSource': {
    1: 'monitors: []string', 2: 'image: *string', 3: 'fsType: string', 4: 'pool: string', 5: 'user: string',
    6: 'keyring: string', 7: 'secretRef: core.LocalObjectReference', 8: 'readOnly: bool',
  },
  'core.FlexVolumeSource': {
    1: 'driver: *string', 2: 'fsType: string', 3: 'secretRef: core.LocalObjectReference', 4: 'readOnly: bool',
    5: 'options: map[string]',
  },
  'core.CinderVolumeSource': {
    1: 'volumeID: *string', 2: 'fsType: string', 3: 'readOnly: bool', 4: 'secretRef: core.LocalObjectReference',
  },
  'core.CephFSVolumeSource': {
    1: 'monitors: []string', 2: 'path: string', 3: 'user: string', 4: 'secretFile: string',
    5: 'secretRef: core.LocalObjectReference', 6: 'readOnly: bool',
  },
  'core.FlockerVolumeSource': { 1: 'datasetName: string', 2: 'datasetUUID: string' },
  'core.DownwardAPIVolumeSource': { 1: 'items: []core.DownwardAPIVolumeFile', 2: 'defaultMode: *int32' },
  'core.DownwardAPIVolumeFile': {
    1: 'path: *string', 2: 'fieldRef: core.ObjectFieldSelector', 3: 'resourceFieldRef: core.ResourceFieldSelector',
    4: 'mode: *int32',
  },
  'core.ObjectFieldSelector': { 1: 'apiVersion: string', 2: 'fieldPath: *string' },
  'core.ResourceFieldSelector': { 1: 'containerName: string', 2: 'resource: *string', 3: 'divisor: Quantity' },
  'core.FCVolumeSource': {
    1: 'targetWWNs: []string', 2: 'lun: *int32', 3: 'fsType: string', 4: 'readOnly: bool', 5: 'wwids: []string',
  },
  'core.AzureFileVolumeSource': { 1: 'secretName: *string', 2: 'shareName: *string', 3: 'readOnly: bool' },
  'core.ConfigMapVolumeSource': {
    1: '...: core.LocalObjectReference', 2: 'items: []core.KeyToPath', 3: 'defaultMode: *int32', 4: 'optional: *bool',
  },
  'core.VsphereVirtualDiskVolumeSource': {
    1: 'volumePath: *string', 2: 'fsType: string', 3: 'storagePolicyName: string', 4: 'storagePolicyID: string',
  },
  'core.QuobyteVolumeSource': {
    1: 'registry: *string', 2: 'volume: *string', 3: 'readOnly: bool', 4: 'user: string', 5: 'group: string',
    6: 'tenant: string',
  },
  'core.AzureDiskVolumeSource': {
    1: 'diskName: *string', 2: 'diskURI: *string', 3: 'cachingMode: *string', 4: 'fsType: *string',
    5: 'readOnly: *bool', 6: 'kind: *string',
  },
  'core.PhotonPersistentDiskVolumeSource': { 1: 'pdID: *string', 2: 'fsType: string' },
  'core.ProjectedVolumeSource': { 1: 'sources: []core.VolumeProjection', 2: 'defaultMode: *int32' },
  'core.VolumeProjection': {
    1: 'secret: core.SecretProjection', 2: 'downwardAPI: core.DownwardAPIProjection',
    3: 'configMap: core.ConfigMapProjection', 4: 'serviceAccountToken: core.ServiceAccountTokenProjection',
    5: 'clusterTrustBundle: core.ClusterTrustBundleProjection', 6: 'podCertificate: core.PodCertificateProjection',
  },
  'core.SecretProjection': { 1: '...: core.LocalObjectReference', 2: 'items: []core.KeyToPath', 4: 'optional: *bool' },
  'core.DownwardAPIProjection': { 1: 'items: []core.DownwardAPIVolumeFile' },
  'core.ConfigMapProjection': {
    1: '...: core.LocalObjectReference', 2: 'items: []core.KeyToPath', 4: 'optional: *bool',
  },
  'core.ServiceAccountTokenProjection': { 1: 'audience: string', 2: 'expirationSeconds: *int64', 3: 'path: *string' },
  'core.ClusterTrustBundleProjection': {
    1: 'name: *string', 2: 'signerName: *string', 3: 'labelSelector: meta.LabelSelector', 5: 'optional: *bool',
    4: 'path: *string',
  },
  'core.PodCertificateProjection': {
    1: 'signerName: string', 2: 'keyType: string', 3: 'maxExpirationSeconds: *int32',
    4: 'credentialBundlePath: string', 5: 'keyPath: string', 6: 'certificateChainPath: string',
  },
  'core.PortworxVolumeSource': { 1: 'volumeID: *string', 2: 'fsType: string', 3: 'readOnly: bool' },
  'core.ScaleIOVolumeSource': {
    1: 'gateway: *string', 2: 'system: *string', 3: 'secretRef: core.LocalObjectReference', 4: 'sslEnabled: bool',
    5: 'protectionDomain: string', 6: 'storagePool: string', 7: 'storageMode: string', 8: 'volumeName: string',
    9: 'fsType: string', 10: 'readOnly: bool',
  },
  'core.StorageOSVolumeSource': {
    1: 'volumeName: string', 2: 'volumeNamespace: string', 3: 'fsType: string', 4: 'readOnly: bool',
    5: 'secretRef: core.LocalObjectReference',
  },
  'core.CSIVolumeSource': {
    1: 'driver: *string', 2: 'readOnly: *bool', 3: 'fsType: *string', 4: 'volumeAttributes: map[string]',
    5: 'nodePublishSecretRef: core.LocalObjectReference',
  },
  'core.EphemeralVolumeSource': { 1: 'volumeClaimTemplate: core.PersistentVolumeClaimTemplate' },
  'core.ImageVolumeSource': { 1: 'reference: string', 2: 'pullPolicy: string' },
  'core.PersistentVolumeSource': {
    1: 'gcePersistentDisk: core.GCEPersistentDiskVolumeSource',
    2: 'awsElasticBlockStore: core.AWSElasticBlockStoreVolumeSource', 3: 'hostPath: core.HostPathVolumeSource',
    4: 'glusterfs: core.GlusterfsPersistentVolumeSource', 5: 'nfs: core.NFSVolumeSource',
    6: 'rbd: core.RBDPersistentVolumeSource', 7: 'iscsi: core.ISCSIPersistentVolumeSource',
    8: 'cinder: core.CinderPersistentVolumeSource', 9: 'cephfs: core.CephFSPersistentVolumeSource',
    10: 'fc: core.FCVolumeSource', 11: 'flocker: core.FlockerVolumeSource',
    12: 'flexVolume: core.FlexPersistentVolumeSource', 13: 'azureFile: core.AzureFilePersistentVolumeSource',
    14: 'vsphereVolume: core.VsphereVirtualDiskVolumeSource', 15: 'quobyte: core.QuobyteVolumeSource',
    16: 'azureDisk: core.AzureDiskVolumeSource', 17: 'photonPersistentDisk: core.PhotonPersistentDiskVolumeSource',
    18: 'portworxVolume: core.PortworxVolumeSource', 19: 'scaleIO: core.ScaleIOPersistentVolumeSource',
    20: 'local: core.LocalVolumeSource', 21: 'storageos: core.StorageOSPersistentVolumeSource',
    22: 'csi: core.CSIPersistentVolumeSource',
  },
  'core.GlusterfsPersistentVolumeSource': {
    1: 'endpoints: *string', 2: 'path: *string', 3: 'readOnly: bool', 4: 'endpointsNamespace: *string',
  },
  'core.RBDPersistentVolumeSource': {
    1: 'monitors: []string', 2: 'image: *string', 3: 'fsType: string', 4: 'pool: string', 5: 'user: string',
    6: 'keyring: string', 7: 'secretRef: core.SecretReference', 8: 'readOnly: bool',
  },
  'core.ISCSIPersistentVolumeSource': {
    1: 'targetPortal: *string', 2: 'iqn: *string', 3: 'lun: *int32', 4: 'iscsiInterface: string', 5: 'fsType: string',
    6: 'readOnly: bool', 7: 'portals: []string', 8: 'chapAuthDiscovery: bool', 11: 'chapAuthSession: bool',
    10: 'secretRef: core.SecretReference', 12: 'initiatorName: *string',
  },
  'core.CinderPersistentVolumeSource': {
    1: 'volumeID: *string', 2: 'fsType: string', 3: 'readOnly: bool', 4: 'secretRef: core.SecretReference',
  },
  'core.CephFSPersistentVolumeSource': {
    1: 'monitors: []string', 2: 'path: string', 3: 'user: string', 4: 'secretFile: string',
    5: 'secretRef: core.SecretReference', 6: 'readOnly: bool',
  },
  'core.FlexPersistentVolumeSource': {
    1: 'driver: *string', 2: 'fsType: string', 3: 'secretRef: core.SecretReference', 4: 'readOnly: bool',
    5: 'options: map[string]',
  },
  'core.AzureFilePersistentVolumeSource': {
    1: 'secretName: *string', 2: 'shareName: *string', 3: 'readOnly: bool', 4: 'secretNamespace: *string',
  },
  'core.ScaleIOPersistentVolumeSource': {
    1: 'gateway: *string', 2: 'system: *string', 3: 'secretRef: core.SecretReference', 4: 'sslEnabled: bool',
    5: 'protectionDomain: string', 6: 'storagePool: string', 7: 'storageMode: string', 8: 'volumeName: string',
    9: 'fsType: string', 10: 'readOnly: bool',
  },
  'core.LocalVolumeSource': { 1: 'path: *string', 2: 'fsType: *string' },
  'core.StorageOSPersistentVolumeSource': {
    1: 'volumeName: string', 2: 'volumeNamespace: string', 3: 'fsType: string', 4: 'readOnly: bool',
    5: 'secretRef: core.ObjectReference',
  },
  'core.CSIPersistentVolumeSource': {
    1: 'driver: *string', 2: 'volumeHandle: *string', 3: 'readOnly: bool', 4: 'fsType: string',
    5: 'volumeAttributes: map[string]', 6: 'controllerPublishSecretRef: core.SecretReference',
    7: 'nodeStageSecretRef: core.SecretReference', 8: 'nodePublishSecretRef: core.SecretReference',
    9: 'controllerExpandSecretRef: core.SecretReference', 10: 'nodeExpandSecretRef: core.SecretReference',
  },
};
