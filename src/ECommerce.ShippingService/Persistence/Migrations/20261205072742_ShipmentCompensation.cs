using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ECommerce.ShippingService.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ShipmentCompensation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "compensated_at",
                table: "shipments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "compensation_reason",
                table: "shipments",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "failed_at",
                table: "shipments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_shipments_failed_at",
                table: "shipments",
                column: "failed_at",
                filter: "failed_at IS NOT NULL");

            // Shipments parked before this version: their wait before compensation starts now.
            migrationBuilder.Sql("UPDATE shipments SET failed_at = now() WHERE state = 'Failed' AND failed_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_shipments_failed_at",
                table: "shipments");

            migrationBuilder.DropColumn(
                name: "compensated_at",
                table: "shipments");

            migrationBuilder.DropColumn(
                name: "compensation_reason",
                table: "shipments");

            migrationBuilder.DropColumn(
                name: "failed_at",
                table: "shipments");
        }
    }
}
