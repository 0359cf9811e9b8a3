using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// deploy/ansible/roles/slurm_accounting/files/slurmdbd-database (run before slurmdbd on the management
/// node) against a fake mysql: the database, the user and its grant are made idempotently from
/// slurmdbd.conf, the password goes over stdin and never on a command line, and a value that could
/// change the SQL is refused before mysql runs.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class SlurmdbdDatabaseScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vhpc-slurmdbd-database-").FullName;

    public SlurmdbdDatabaseScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "bin"));
        var mysql = Path.Combine(_dir, "bin", "mysql");
        File.WriteAllText(mysql, "#!/bin/sh\necho \"$*\" > \"$FAKE_DIR/argv\"\ncat > \"$FAKE_DIR/stdin\"\n");
        File.SetUnixFileMode(mysql, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private (int Code, string Output) Run(string conf)
    {
        var path = Path.Combine(_dir, "slurmdbd.conf");
        File.WriteAllText(path, conf);
        var script = Path.Combine(RepositoryPaths.AnsibleDirectory, "roles", "slurm_accounting", "files", "slurmdbd-database");
        return AnsibleTools.Run("/bin/sh", _dir, new Dictionary<string, string>
        {
            ["PATH"] = Path.Combine(_dir, "bin") + ":/usr/bin:/bin",
            ["FAKE_DIR"] = _dir,
        }, script, path);
    }

    [Fact]
    public void Makes_the_database_and_user_from_slurmdbd_conf_with_the_password_on_stdin()
    {
        var (code, output) = Run("StorageType=accounting_storage/mysql\nStorageLoc=slurm_acct_db\nStorageUser=slurm\nStoragePass=Abc123xyz\n");
        Assert.True(code == 0, output);
        var argv = File.ReadAllText(Path.Combine(_dir, "argv"));
        Assert.DoesNotContain("Abc123xyz", argv, StringComparison.Ordinal);
        Assert.Contains("--user=root", argv, StringComparison.Ordinal);
        var sql = File.ReadAllLines(Path.Combine(_dir, "stdin"));
        Assert.Equal(
        [
            "CREATE DATABASE IF NOT EXISTS `slurm_acct_db`;",
            "CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'Abc123xyz';",
            "ALTER USER 'slurm'@'localhost' IDENTIFIED BY 'Abc123xyz';",
            "GRANT ALL ON `slurm_acct_db`.* TO 'slurm'@'localhost';",
        ], sql);
    }

    [Theory]
    [InlineData("StorageLoc=slurm_acct_db\nStorageUser=slurm\nStoragePass=x'; DROP USER root; --\n", "StoragePass")]
    [InlineData("StorageLoc=slurm`db\nStorageUser=slurm\nStoragePass=abc\n", "StorageLoc")]
    [InlineData("StorageLoc=slurm_acct_db\nStoragePass=abc\n", "StorageUser")]
    public void A_value_that_could_change_the_sql_is_refused_before_mysql_runs(string conf, string field)
    {
        var (code, output) = Run(conf);
        Assert.NotEqual(0, code);
        Assert.Contains(field, output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "stdin")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
