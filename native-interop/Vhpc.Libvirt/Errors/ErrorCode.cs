namespace Vhpc.Libvirt;

/// <summary>libvirt's virErrorNumber (generated from libvirt-api.xml); the values are libvirt's.</summary>
public enum ErrorCode
{
    Ok = 0,
    /// <summary>internal error</summary>
    InternalError = 1,
    /// <summary>memory allocation failure</summary>
    NoMemory = 2,
    /// <summary>no support for this function</summary>
    NoSupport = 3,
    /// <summary>could not resolve hostname</summary>
    UnknownHost = 4,
    /// <summary>can't connect to hypervisor</summary>
    NoConnect = 5,
    /// <summary>invalid connection object</summary>
    InvalidConn = 6,
    /// <summary>invalid domain object</summary>
    InvalidDomain = 7,
    /// <summary>invalid function argument</summary>
    InvalidArg = 8,
    /// <summary>a command to hypervisor failed</summary>
    OperationFailed = 9,
    /// <summary>a HTTP GET command to failed</summary>
    GetFailed = 10,
    /// <summary>a HTTP POST command to failed</summary>
    PostFailed = 11,
    /// <summary>unexpected HTTP error code</summary>
    HttpError = 12,
    /// <summary>failure to serialize an S-Expr</summary>
    SexprSerial = 13,
    /// <summary>could not open Xen hypervisor control</summary>
    NoXen = 14,
    /// <summary>failure doing an hypervisor call</summary>
    XenCall = 15,
    /// <summary>unknown OS type</summary>
    OsType = 16,
    /// <summary>missing kernel information</summary>
    NoKernel = 17,
    /// <summary>missing root device information</summary>
    NoRoot = 18,
    /// <summary>missing source device information</summary>
    NoSource = 19,
    /// <summary>missing target device information</summary>
    NoTarget = 20,
    /// <summary>missing domain name information</summary>
    NoName = 21,
    /// <summary>missing domain OS information</summary>
    NoOs = 22,
    /// <summary>missing domain devices information</summary>
    NoDevice = 23,
    /// <summary>could not open Xen Store control</summary>
    NoXenstore = 24,
    /// <summary>too many drivers registered</summary>
    DriverFull = 25,
    /// <summary>not supported by the drivers (DEPRECATED)</summary>
    CallFailed = 26,
    /// <summary>an XML description is not well formed or broken</summary>
    XmlError = 27,
    /// <summary>the domain already exist</summary>
    DomExist = 28,
    /// <summary>operation forbidden on read-only connections</summary>
    OperationDenied = 29,
    /// <summary>failed to open a conf file</summary>
    OpenFailed = 30,
    /// <summary>failed to read a conf file</summary>
    ReadFailed = 31,
    /// <summary>failed to parse a conf file</summary>
    ParseFailed = 32,
    /// <summary>failed to parse the syntax of a conf file</summary>
    ConfSyntax = 33,
    /// <summary>failed to write a conf file</summary>
    WriteFailed = 34,
    /// <summary>detail of an XML error</summary>
    XmlDetail = 35,
    /// <summary>invalid network object</summary>
    InvalidNetwork = 36,
    /// <summary>the network already exist</summary>
    NetworkExist = 37,
    /// <summary>general system call failure</summary>
    SystemError = 38,
    /// <summary>some sort of RPC error</summary>
    Rpc = 39,
    /// <summary>error from a GNUTLS call</summary>
    GnutlsError = 40,
    /// <summary>failed to start network</summary>
    WarningNoNetwork = 41,
    /// <summary>domain not found or unexpectedly disappeared</summary>
    NoDomain = 42,
    /// <summary>network not found</summary>
    NoNetwork = 43,
    /// <summary>invalid MAC address</summary>
    InvalidMac = 44,
    /// <summary>authentication failed</summary>
    AuthFailed = 45,
    /// <summary>invalid storage pool object</summary>
    InvalidStoragePool = 46,
    /// <summary>invalid storage vol object</summary>
    InvalidStorageVol = 47,
    /// <summary>failed to start storage</summary>
    WarningNoStorage = 48,
    /// <summary>storage pool not found</summary>
    NoStoragePool = 49,
    /// <summary>storage volume not found</summary>
    NoStorageVol = 50,
    /// <summary>failed to start node driver</summary>
    WarningNoNode = 51,
    /// <summary>invalid node device object</summary>
    InvalidNodeDevice = 52,
    /// <summary>node device not found</summary>
    NoNodeDevice = 53,
    /// <summary>security model not found</summary>
    NoSecurityModel = 54,
    /// <summary>operation is not applicable at this time</summary>
    OperationInvalid = 55,
    /// <summary>failed to start interface driver</summary>
    WarningNoInterface = 56,
    /// <summary>interface driver not running</summary>
    NoInterface = 57,
    /// <summary>invalid interface object</summary>
    InvalidInterface = 58,
    /// <summary>more than one matching interface found</summary>
    MultipleInterfaces = 59,
    /// <summary>failed to start nwfilter driver</summary>
    WarningNoNwfilter = 60,
    /// <summary>invalid nwfilter object</summary>
    InvalidNwfilter = 61,
    /// <summary>nw filter pool not found</summary>
    NoNwfilter = 62,
    /// <summary>nw filter pool not found</summary>
    BuildFirewall = 63,
    /// <summary>failed to start secret storage</summary>
    WarningNoSecret = 64,
    /// <summary>invalid secret</summary>
    InvalidSecret = 65,
    /// <summary>secret not found</summary>
    NoSecret = 66,
    /// <summary>unsupported configuration construct</summary>
    ConfigUnsupported = 67,
    /// <summary>timeout occurred during operation</summary>
    OperationTimeout = 68,
    /// <summary>a migration worked, but making the VM persist on the dest host failed</summary>
    MigratePersistFailed = 69,
    /// <summary>a synchronous hook script failed</summary>
    HookScriptFailed = 70,
    /// <summary>invalid domain snapshot</summary>
    InvalidDomainSnapshot = 71,
    /// <summary>domain snapshot not found</summary>
    NoDomainSnapshot = 72,
    /// <summary>stream pointer not valid</summary>
    InvalidStream = 73,
    /// <summary>valid API use but unsupported by the given driver</summary>
    ArgumentUnsupported = 74,
    /// <summary>storage pool probe failed</summary>
    StorageProbeFailed = 75,
    /// <summary>storage pool already built</summary>
    StoragePoolBuilt = 76,
    /// <summary>force was not requested for a risky domain snapshot revert</summary>
    SnapshotRevertRisky = 77,
    /// <summary>operation on a domain was canceled/aborted by user</summary>
    OperationAborted = 78,
    /// <summary>authentication cancelled</summary>
    AuthCancelled = 79,
    /// <summary>The metadata is not present</summary>
    NoDomainMetadata = 80,
    /// <summary>Migration is not safe</summary>
    MigrateUnsafe = 81,
    /// <summary>integer overflow</summary>
    Overflow = 82,
    /// <summary>action prevented by block copy job</summary>
    BlockCopyActive = 83,
    /// <summary>The requested operation is not supported</summary>
    OperationUnsupported = 84,
    /// <summary>error in ssh transport driver</summary>
    Ssh = 85,
    /// <summary>guest agent is unresponsive, not running or not usable</summary>
    AgentUnresponsive = 86,
    /// <summary>resource is already in use</summary>
    ResourceBusy = 87,
    /// <summary>operation on the object/resource was denied</summary>
    AccessDenied = 88,
    /// <summary>error from a dbus service</summary>
    DbusService = 89,
    /// <summary>the storage vol already exists</summary>
    StorageVolExist = 90,
    /// <summary>given CPU is incompatible with host CPU</summary>
    CpuIncompatible = 91,
    /// <summary>XML document doesn't validate against schema</summary>
    XmlInvalidSchema = 92,
    /// <summary>Finish API succeeded but it is expected to return NULL</summary>
    MigrateFinishOk = 93,
    /// <summary>authentication unavailable</summary>
    AuthUnavailable = 94,
    /// <summary>Server was not found</summary>
    NoServer = 95,
    /// <summary>Client was not found</summary>
    NoClient = 96,
    /// <summary>guest agent replies with wrong id to guest-sync command (DEPRECATED)</summary>
    AgentUnsynced = 97,
    /// <summary>error in libssh transport driver</summary>
    Libssh = 98,
    /// <summary>fail to find the desired device</summary>
    DeviceMissing = 99,
    /// <summary>invalid nwfilter binding</summary>
    InvalidNwfilterBinding = 100,
    /// <summary>no nwfilter binding</summary>
    NoNwfilterBinding = 101,
    /// <summary>invalid domain checkpoint</summary>
    InvalidDomainCheckpoint = 102,
    /// <summary>domain checkpoint not found</summary>
    NoDomainCheckpoint = 103,
    /// <summary>domain backup job id not found</summary>
    NoDomainBackup = 104,
    /// <summary>invalid network port object</summary>
    InvalidNetworkPort = 105,
    /// <summary>the network port already exist</summary>
    NetworkPortExist = 106,
    /// <summary>network port not found</summary>
    NoNetworkPort = 107,
    /// <summary>no domain's hostname found</summary>
    NoHostname = 108,
    /// <summary>checkpoint can't be used</summary>
    CheckpointInconsistent = 109,
    /// <summary>more than one matching domain found</summary>
    MultipleDomains = 110,
}
