/*
 * vhpc check's MPI program: every rank contributes its rank number to an MPI_Allreduce, so every
 * rank must receive 0 + 1 + ... + (n-1) = n(n-1)/2. A rank that gets anything else says so on stderr
 * and exits 1; a rank that cannot start at all shows in srun's own errors.
 */
#include <mpi.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int rank, size, sum = -1, expected;
    char host[256];

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (gethostname(host, sizeof host) != 0)
        host[0] = '\0';
    host[sizeof host - 1] = '\0';
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    expected = size * (size - 1) / 2;
    printf("rank %d of %d on %s: sum %d\n", rank, size, host, sum);
    fflush(stdout);
    if (sum != expected)
        fprintf(stderr, "rank %d on %s: allreduce gave %d, expected %d\n", rank, host, sum, expected);
    MPI_Finalize();
    return sum == expected ? 0 : 1;
}
