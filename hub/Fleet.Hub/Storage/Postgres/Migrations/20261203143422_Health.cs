using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Fleet.Hub.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Health : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "HealthSummaries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DeviceId = table.Column<int>(type: "integer", nullable: false),
                    ReceivedAt = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Firmware = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    WindowSeconds = table.Column<double>(type: "double precision", nullable: false),
                    TankState = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AlarmSeconds = table.Column<double>(type: "double precision", nullable: false),
                    FaultSeconds = table.Column<double>(type: "double precision", nullable: false),
                    WaterTemperatureError = table.Column<double>(type: "double precision", nullable: true),
                    PhInRange = table.Column<double>(type: "double precision", nullable: true),
                    OxygenSwing = table.Column<double>(type: "double precision", nullable: true),
                    TurbiditySlope = table.Column<double>(type: "double precision", nullable: true),
                    Restarts = table.Column<long>(type: "bigint", nullable: false),
                    Reconnects = table.Column<long>(type: "bigint", nullable: false),
                    MemoryBytes = table.Column<long>(type: "bigint", nullable: false),
                    SensorsJson = table.Column<string>(type: "text", nullable: false),
                    UnhealthySensors = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_HealthSummaries", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_HealthSummaries_DeviceId_Id",
                table: "HealthSummaries",
                columns: new[] { "DeviceId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_HealthSummaries_DeviceId_ReceivedAt",
                table: "HealthSummaries",
                columns: new[] { "DeviceId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_HealthSummaries_ReceivedAt",
                table: "HealthSummaries",
                column: "ReceivedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "HealthSummaries");
        }
    }
}
