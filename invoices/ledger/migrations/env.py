"""Alembic's entry point for the ledger's migrations: always run by `invoices.ledger.migrate` on a
connection it has opened inside the ledger's write transaction (never from the `alembic`
command line), so a migration holds the write lock and commits or rolls back whole."""

from alembic import context

from invoices.ledger.schema import metadata

context.configure(connection=context.config.attributes["connection"],
                  target_metadata=metadata, render_as_batch=True, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
