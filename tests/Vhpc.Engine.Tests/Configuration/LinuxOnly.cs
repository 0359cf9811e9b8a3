using System.Runtime.Versioning;

// These tests run Ansible, OpenSSH and check Unix file modes: Linux only, like vhpcd.
[assembly: SupportedOSPlatform("linux")]
