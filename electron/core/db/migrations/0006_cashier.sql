-- Who is at the till (issue 7: sales sync with their cashier). The cashier names themself when opening a shift;
-- every sale rung up during that shift carries the name, as it stood then.
ALTER TABLE shifts ADD COLUMN cashier TEXT;
ALTER TABLE sales ADD COLUMN cashier TEXT;
